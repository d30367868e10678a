import ArgumentParser
import Foundation
import LocalStack
import NIOConcurrencyHelpers
import Reconciler
import SwitchboardControllers
import SwitchboardCore
import SwitchboardServer
import SwitchboardPlugins
import SwitchboardStorage
import SwitchboardWeb

/// How the CLI talks to people: progress steps, tables, and one readable line per error.
///
/// Every byte the command line writes goes through here, and here through the ``Scrubber``:
/// a credential in a URL, a password in a message relayed from Connect, never reaches the
/// terminal or a CI log. (`print` in this module is this type's ``line(_:terminator:)``.)
public enum Output {
    /// What a command wrote, when it ran inside ``capturing(_:)``.
    public final class Capture: Sendable {
        private let text = NIOLockedValueBox((standardOutput: "", standardError: ""))
        public var standardOutput: String { text.withLockedValue { $0.standardOutput } }
        public var standardError: String { text.withLockedValue { $0.standardError } }

        func write(_ line: String, error: Bool) {
            text.withLockedValue { if error { $0.standardError += line } else { $0.standardOutput += line } }
        }
    }

    @TaskLocal static var capture: Capture?

    /// Runs `body` with everything written through here collected instead of printed (for
    /// tests of commands: their output and errors, already scrubbed).
    public static func capturing<T>(_ body: () async throws -> T) async rethrows -> (T, Capture) {
        let capture = Capture()
        let value = try await $capture.withValue(capture) { try await body() }
        return (value, capture)
    }

    /// A line on stdout.
    static func line(_ text: String, terminator: String = "\n") {
        write(Scrubber.scrub(text) + terminator, error: false)
    }

    static func write(_ text: String, error: Bool) {
        if let capture {
            capture.write(text, error: error)
        } else {
            (error ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
        }
    }

    /// A progress step of long work.
    @Sendable static func step(_ message: String) {
        line("==> \(message)")
    }

    /// Writes `message` to stderr, as `error: message`.
    static func error(_ message: String) {
        standardError("error: \(message)")
    }

    /// A line on stderr.
    static func standardError(_ text: String) {
        write(Scrubber.scrub(text) + "\n", error: true)
    }

    /// Runs `body`; a known error is printed as one readable message and becomes exit code 1.
    static func guarding<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw report(error)
        }
    }

    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw report(error)
        }
    }

    private static func report(_ error: any Error) -> any Error {
        switch error {
        case let error as StackError:
            Output.error(error.description)
        case let error as ClustersUnreachable:
            Output.error("cannot use the clusters; nothing was applied.\n" + error.description)
        case let error as ReconcileError:
            Output.error(error.description + "; nothing was applied.")
        case let error as CatalogError:
            Output.error(error.description)
        case let error as PluginError:
            Output.error(error.description)
        case let error as Applier.Refusal:
            Output.error(error.description)
        case let error as ServerError:
            Output.error(error.description)
        case let error as StorageError:
            Output.error(error.description)
        case let error as GitRepository.Failure:
            Output.error("cannot serve the repository: " + error.description)
        default:
            return error
        }
        return ExitCode.failure
    }

    static func print(_ status: StackStatus) {
        let rows = status.components.map { component -> [String] in
            let state: String
            switch (component.isRunning, component.healthy) {
            case (false, _): state = "stopped"
            case (true, .some(false)): state = "unhealthy"
            case (true, _): state = "running"
            }
            return [component.name, state, component.release ?? "-", component.pid.map(String.init) ?? "-", component.address, component.logFile]
        }
        line(table(["COMPONENT", "STATE", "CONNECT", "PID", "ADDRESS", "LOG"], rows))
    }

    /// A plain left-aligned text table.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Wraps any Encodable for heterogeneous JSON objects.
struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init<T: Encodable>(_ value: T) {
        encodeValue = value.encode
    }
    func encode(to encoder: any Encoder) throws {
        try encodeValue(encoder)
    }
}

/// `print` in this module writes through ``Output`` (and so through the scrubber); standard
/// output is unbuffered that way, so progress shows at once and in order, also through a pipe.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Output.line(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}

/// Columns padded to their widest cell, for list output.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
