import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the built `switchboard` executable, as a user would, for tests of the command line.
public enum CLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Both streams, for asserting that something appears nowhere.
        public var all: String { stdout + stderr }
    }

    /// `.build/debug/switchboard` of this package (built by `swift build --build-tests`).
    public static var executable: URL {
        TestStack.projectRoot.appendingPathComponent(".build/debug/switchboard")
    }

    /// Runs `switchboard arguments...` with `input` on stdin (an empty, non-terminal stdin by default).
    ///
    /// The network deadline is 90 s unless `environment` or `--timeout` say otherwise: the test
    /// stack runs seven JVMs on two cores, where a worker busy with rebalances was seen not
    /// answering for over 30 s, the product's default. The tests of the deadlines set their own.
    public static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Result {
        try await execute(executable.path, arguments, input: input, environment: ["SWITCHBOARD_TIMEOUT": "90"].merging(environment) { $1 })
    }

    static func execute(_ path: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Result {
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
        let result = try await CLI.execute(path, arguments, environment: environment)
        return Result(status: result.status, output: result.stdout + result.stderr)
    }
}
