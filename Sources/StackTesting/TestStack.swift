import ConnectClient
import Foundation
import Outbound
import TestSupport
import LocalStack

/// The real local stack that integration tests run against, started once per test process.
///
/// It lives in `.switchboard/test` (apart from a developer's `.switchboard/dev`) on its own ports,
/// and runs five Connect clusters on one broker:
/// - `alpha` and `beta` (one worker each): catalog, plan and apply tests, two clusters in one plan;
/// - `scale` (three workers): task spreading and failover, so killing a worker disturbs nobody else;
/// - `fault` (one worker): the fault suite kills and restarts its only worker;
/// - `gitops` (one worker): the GitOps controller's creates, edits and deletes, whose rebalances
///   made actions of other suites on beta wait out Connect's 409 "stale configuration";
/// plus PostgreSQL for Debezium CDC. `scripts/test` stops it when the tests end.
public actor TestStack {
    public static let shared = TestStack()

    /// The project's root folder (this file is at Sources/StackTesting/TestStack.swift).
    public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public nonisolated let stack: LocalStack
    private var starting: Task<Void, any Error>?

    init() {
        let root = Self.projectRoot.appendingPathComponent(".switchboard")
        stack = LocalStack(
            configuration: StackConfiguration(
                home: root.appendingPathComponent("test"),
                cache: root.appendingPathComponent("cache"),
                brokerPort: 29092,
                connectBasePort: 28083,
                clusters: [.init(name: "alpha"), .init(name: "beta"), .init(name: "scale", workers: 3), .init(name: "fault"), .init(name: "gitops")],
                postgresPort: 25432
            ),
            progress: { print("[test stack] \($0)") }
        )
    }

    /// Brings the stack up (once; later callers wait for the first start) and returns it.
    @discardableResult
    public func up() async throws -> LocalStack {
        if starting == nil {
            let stack = self.stack
            starting = Task { try await stack.up() ; return }
        }
        try await starting!.value
        return stack
    }

    /// A client for a cluster of the test stack, over all its worker URLs. Its deadline is longer
    /// than the product's default: tests call it to set up and check, on a stack of eight JVMs
    /// sharing two cores, where a busy worker was seen not answering for over 30 s.
    public nonisolated func client(_ cluster: String) -> ConnectClient {
        ConnectClient(endpoint: ConnectEndpoint(urls: stack.configuration.workerURLs(of: cluster)), requestTimeout: .seconds(100),
                      readRetry: RetryPolicy(maxAttempts: 5, maxElapsed: .seconds(100)))
    }

    /// A name no earlier run has used (the broker of a reused stack still holds old connectors).
    public nonisolated static func uniqueName(_ base: String) -> String {
        "\(base)-\(UInt32.random(in: 0...UInt32.max))"
    }
}
