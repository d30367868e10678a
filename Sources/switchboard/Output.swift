import ArgumentParser
import Foundation
import LocalStack

/// How the CLI talks to people: progress steps, tables, and one readable line per error.
enum Output {
    /// A progress step of long work.
    @Sendable static func step(_ message: String) {
        FileHandle.standardOutput.write(Data("==> \(message)\n".utf8))
    }

    /// Writes `message` to stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Runs `body`; a known error is printed as a readable message and becomes exit code 1.
    static func guarding<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StackError {
            Output.error(error.description)
            throw ExitCode.failure
        }
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
