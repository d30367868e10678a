import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaLag
import Reconciler
import ServerTesting
@testable import SwitchboardAPI
import SwitchboardCore
@testable import SwitchboardDataFlow
@testable import SwitchboardSnapshot
@testable import SwitchboardWeb
import TestSupport
import Testing

/// The topic poller against a scripted Connect: its budget per round, the order it reads in, and
/// a cluster whose workers do not track topics (403), which a real worker shows only when so
/// configured.
@Suite struct TopicPollerTests {
    final class Requests: @unchecked Sendable {
        let lock = NSLock()
        var paths: [String] = []
        func add(_ path: String) { lock.withLock { paths.append(path) } }
        var topics: [String] { lock.withLock { paths.filter { $0.hasSuffix("/topics") } } }
    }

    static func store(tracking: Bool, requests: Requests, stopped: Set<Int> = []) async throws -> (SnapshotStore, DataFlow, FaultServer) {
        let bulk = ServerFixture.snapshot((0..<10).map { index in
            stopped.contains(index) ? ServerFixture.connector("payments_c\(index)", state: "STOPPED", tasks: [], config: ["topic": "t"], type: "source")
                : ServerFixture.connector("payments_c\(index)", config: ["topic": "t"], type: "source")
        })
        let server = try await FaultServer.start(.scripted { request in
            requests.add(request.uri)
            if request.uri.hasPrefix("/connectors?") { return .init(body: bulk) }
            if request.uri.hasSuffix("/topics") {
                guard tracking else { return .init(status: 403, body: #"{"error_code":403,"message":"Topic tracking is disabled."}"#) }
                let name = request.uri.split(separator: "/")[1]
                return .init(body: "{\"\(name)\":{\"topics\":[\"t\"]}}")
            }
            return .init(status: 404, body: #"{"error_code":404,"message":"not here"}"#)
        })
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: \(server.url)\n",
            "teams/payments/team.yaml": "members: [alice]\n",
        ])
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        let store = SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog))
        let flow = DataFlow()
        store.observe(flow)
        await store.refresh()
        return (store, flow, server)
    }

    @Test func eachRoundReadsItsBudgetTheUnreadFirst() async throws {
        let requests = Requests()
        let (store, flow, server) = try await Self.store(tracking: true, requests: requests)
        defer { Task { await server.stop() } }
        let poller = TopicPoller(store: store, flow: flow, budget: 4, concurrency: 2)
        #expect(await poller.poll().isEmpty)
        #expect(requests.topics.count == 4)
        await poller.poll()
        await poller.poll()
        #expect(requests.topics.count == 12)
        #expect(Set(requests.topics).count == 10, "every connector read before any is read again")
        #expect(flow.topics.observed.count == 10)
        #expect(flow.topics.observed("ingest/payments_c3")?.topics == ["t"])
    }

    @Test func aConnectorThatDoesNotRunIsReadOnceNotEveryRound() async throws {
        let requests = Requests()
        let (store, flow, server) = try await Self.store(tracking: true, requests: requests, stopped: [0, 1, 2, 3, 4, 5])
        defer { Task { await server.stop() } }
        let poller = TopicPoller(store: store, flow: flow, budget: 10, concurrency: 2)
        await poller.poll()
        #expect(Set(requests.topics).count == 10, "every connector is read once")
        await poller.poll()
        await poller.poll()
        let again = requests.topics.dropFirst(10)
        #expect(again.count == 8, "only the four running connectors, each round")
        #expect(again.allSatisfy { path in (6...9).contains { path.contains("payments_c\($0)/") } }, "\(again)")
    }

    @Test func aClusterThatDoesNotTrackTopicsIsNamedAndAskedOnce() async throws {
        let requests = Requests()
        let (store, flow, server) = try await Self.store(tracking: false, requests: requests)
        defer { Task { await server.stop() } }
        let poller = TopicPoller(store: store, flow: flow, budget: 10, concurrency: 2)
        #expect(await poller.poll() == ["ingest"])
        #expect(requests.topics.count <= 2, "it stops at the first refusal (two were in flight)")
        #expect(await poller.poll(skipping: ["ingest"]).isEmpty)
        #expect(requests.topics.count <= 2, "a cluster known not to track is skipped")
        // The lineage still has the topics the configs name.
        let graph = flow.lineage(store.current, catalog: store.catalog).graph(.platform)
        #expect(graph.edges.count == 10 && graph.edges.allSatisfy { !$0.seen })
    }

    /// A share between two replicas in memory: one polls, the other takes.
    final class MemoryShare: FlowShare, @unchecked Sendable {
        let polls: Bool
        let shelf: Shelf
        final class Shelf: @unchecked Sendable {
            let lock = NSLock()
            var rounds: [String: Data] = [:]
        }
        init(polls: Bool, shelf: Shelf) { (self.polls, self.shelf) = (polls, shelf) }
        func publish<Value: Encodable & Sendable>(_ name: String, _ value: Value) async {
            let data = try! JSONEncoder().encode(value)  // a test's own values
            shelf.lock.withLock { shelf.rounds[name] = data }
        }
        func latest<Value: Decodable & Sendable>(_ name: String, as type: Value.Type) async -> Value? {
            guard let data = shelf.lock.withLock({ shelf.rounds[name] }) else { return nil }
            return try? JSONDecoder().decode(type, from: data)  // a test's own values
        }
    }

    @Test func withTwoReplicasOnlyOneReadsTopicsAndBothKnowThem() async throws {
        let requests = Requests()
        let (store, flow, server) = try await Self.store(tracking: true, requests: requests)
        defer { Task { await server.stop() } }
        let shelf = MemoryShare.Shelf()
        let other = DataFlow()
        let holder = TopicPoller(store: store, flow: flow, interval: .milliseconds(50), budget: 10, share: MemoryShare(polls: true, shelf: shelf))
        let follower = TopicPoller(store: store, flow: other, interval: .milliseconds(50), budget: 10, share: MemoryShare(polls: false, shelf: shelf))
        let running = [Task { try await holder.run() }, Task { try await follower.run() }]
        try await eventually(timeout: .seconds(10), "the follower to know every connector's topics") { other.topics.observed.count == 10 ? true : nil }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }  // a round under way ends before the counting below
        #expect(requests.topics.count >= 10, "the holder read every connector's topics")
        #expect(other.topics.observed.mapValues(\.topics) == flow.topics.observed.mapValues(\.topics), "the follower knows what the holder read")
        // A follower alone reads nothing.
        let before = requests.topics.count
        let alone = TopicPoller(store: store, flow: DataFlow(), interval: .milliseconds(50), share: MemoryShare(polls: false, shelf: MemoryShare.Shelf()))
        let task = Task { try await alone.run() }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        #expect(requests.topics.count == before, "a replica without the lease never reads Connect's topics")
    }

    @Test func aSharedLagRoundIsRecordedAsIfReadHere() async throws {
        let (catalog, _, _) = try DataFlowTests.platform()
        let store = SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog))
        let flow = DataFlow()
        let poller = LagPoller(store: store, flow: flow, share: MemoryShare(polls: false, shelf: MemoryShare.Shelf()))
        let at = Date(timeIntervalSince1970: 2_000_000_000)
        poller.take(SharedLag(at: at, clusters: ["analytics"], readings: ["analytics/analytics_orders-events": .init(lag: SinkLag(perTopic: ["payments.public.orders": 7], committed: 40), counter: 40)],
                              brokerTopics: ["analytics": ["payments.public.orders", "__consumer_offsets"]]))
        #expect(flow.latest.lag["analytics/analytics_orders-events"]?.total == 7)
        #expect(flow.topics.brokerTopics["analytics"] == ["payments.public.orders"])
    }
}
