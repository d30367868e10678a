import Foundation
import TestSupport

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
        let result = try await Program.run(executable.path, arguments, input: input, environment: ["SWITCHBOARD_TIMEOUT": "90"].merging(environment) { $1 })
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}

