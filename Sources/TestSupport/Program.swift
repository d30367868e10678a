import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a program for a test and collects what it wrote.
public enum Program {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `path arguments...` with `input` on stdin; the environment is this process's, updated by `environment`.
    public static func run(_ path: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Result {
        let result = try await Subprocess.run(
            .path(FilePath(path)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
            input: .string(input),
            output: .string(limit: 16 << 20),
            error: .string(limit: 16 << 20)
        )
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return Result(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }
}

/// Runs any program for a test's setup (building archives with tar or python3).
public enum ShellCommand {
    public struct Result: Sendable {
        public var status: Int32
        /// Standard output and error together.
        public var output: String
    }

    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let result = try await Program.run(path, arguments, environment: environment)
        return Result(status: result.status, output: result.stdout + result.stderr)
    }
}

/// A test's setup failed (a fixture could not be built).
public struct SetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
