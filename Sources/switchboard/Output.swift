import ArgumentParser
import Foundation
import LocalStack
import Reconciler
import SwitchboardCore
import SwitchboardPlugins

/// How the CLI talks to people: progress steps, tables, and one readable line per error.
enum Output {
    /// A progress step of long work.
    @Sendable static func step(_ message: String) {
        Swift.print("==> \(message)")
        // Flush every stream (`stdout` itself is not reachable from Swift 6 concurrency-safe
        // code), so progress shows at once and in order with the rest, also through a pipe.
        fflush(nil)
    }

    /// Writes `message` to stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
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
            Output.error("cannot read the clusters; nothing was applied.\n" + error.description)
        case let error as ReconcileError:
            Output.error(error.description + "; nothing was applied.")
        case let error as CatalogError:
            Output.error(error.description)
        case let error as PluginError:
            Output.error(error.description)
        default:
            return error
        }
        return ExitCode.failure
    }

    /// Pretty, sorted JSON.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func print(_ status: StackStatus) {
        let rows = status.components.map { component -> [String] in
            let state: String
            switch (component.isRunning, component.healthy) {
            case (false, _): state = "stopped"
            case (true, .some(false)): state = "unhealthy"
            case (true, _): state = "running"
            }
            return [component.name, state, component.pid.map(String.init) ?? "-", component.address, component.logFile]
        }
        Swift.print(table(["COMPONENT", "STATE", "PID", "ADDRESS", "LOG"], rows))
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
