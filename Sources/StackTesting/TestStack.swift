import ConnectClient
import Foundation
import Outbound
import TestSupport
import LocalStack

/// The real local stack that integration tests run against, started once per test process.
///
/// It lives in `.switchboard/test` (apart from a developer's `.switchboard/dev`) on its own ports,
/// and runs five or six Connect clusters on one broker:
/// - `alpha` and `beta` (one worker each): catalog, plan and apply tests, two clusters in one plan;
/// - `scale` (three workers): task spreading and failover, so killing a worker disturbs nobody else;
/// - `fault` (one worker): the fault suite kills and restarts its only worker;
/// - `gitops` (one worker): the GitOps controller's creates, edits and deletes, whose rebalances
///   made actions of other suites on beta wait out Connect's 409 "stale configuration";
/// - `next` (one worker, on the newest Connect release; in the standard release's stack only):
///   the target of an upgrade check;
/// plus PostgreSQL for Debezium CDC. `scripts/test` stops it when the tests end.
///
/// Its clusters run the Connect release `$SWITCHBOARD_TEST_CONNECT` names (3.9 unless set):
/// `scripts/test` runs the suites that exercise Connect once per release the README lists, each
/// release's stack in a home and on ports of its own.
public actor TestStack {

    /// Clusters a test holds to itself now, and the tests waiting for each.
    private var exclusive: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while no other test that asks for `cluster` this way runs: for tests whose
    /// timings assume nobody else loads or rebalances that cluster meanwhile (the GitOps and
    /// replica tests on `gitops`). Others still run beside it on other clusters.
    public nonisolated func exclusively<T: Sendable>(_ cluster: String, _ body: () async throws -> T) async throws -> T {
        await take(cluster)
        do {
            let value = try await body()
            await give(cluster)
            return value
        } catch {
            await give(cluster)
            throw error
        }
    }

    private func take(_ cluster: String) async {
        guard exclusive.contains(cluster) else {
            exclusive.insert(cluster)
            return
        }
        await withCheckedContinuation { waiting[cluster, default: []].append($0) }
    }

    private func give(_ cluster: String) {
        guard var queue = waiting[cluster], !queue.isEmpty else {
            exclusive.remove(cluster)
            return
        }
        let next = queue.removeFirst()
        waiting[cluster] = queue
        next.resume()  // the cluster passes to the next test as it is (still held)
    }
    public static let shared = TestStack()

    /// The project's root folder (this file is at Sources/StackTesting/TestStack.swift).
    public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public nonisolated let stack: LocalStack
    /// The Connect release every cluster of this run's stack runs.
    public nonisolated let release: ConnectVersion
    private var starting: Task<Void, any Error>?

    init() {
        let root = Self.projectRoot.appendingPathComponent(".switchboard")
        let release = Self.release(ProcessInfo.processInfo.environment)
        self.release = release
        // The standard release keeps the stack's first home and ports; another gets its own.
        let offset = ConnectVersion.allCases.firstIndex(of: release).map { $0 * 200 } ?? 0
        let home = release == .standard ? "test" : "test-\(release.rawValue)"
        stack = LocalStack(
            configuration: StackConfiguration(
                home: root.appendingPathComponent(home),
                cache: root.appendingPathComponent("cache"),
                brokerPort: 29092 + offset,
                connectBasePort: 28083 + offset,
                clusters: ["alpha", "beta", "scale", "fault", "gitops"].map { .init(name: $0, workers: $0 == "scale" ? 3 : 1, version: release) }
                    // The standard release's stack also runs the newest one, as the target of an upgrade check.
                    + (release == .standard ? [.init(name: "next", version: ConnectVersion.allCases.max() ?? release)] : []),
                postgresPort: 25432 + offset
            ),
            progress: { [release] in print("[test stack \(release.rawValue)] \($0)") }
        )
    }

    /// `$SWITCHBOARD_TEST_CONNECT`, else the standard release. A value that names no release
    /// stops the run at once rather than testing another release than asked.
    static func release(_ environment: [String: String]) -> ConnectVersion {
        guard let text = environment["SWITCHBOARD_TEST_CONNECT"], !text.isEmpty else { return .standard }
        guard let release = ConnectVersion(rawValue: text) else {
            fatalError("SWITCHBOARD_TEST_CONNECT=\(text) names no Connect release the stack runs (\(ConnectVersion.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return release
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
