import Foundation
import KafkaLag
import ConnectClient
import Logging
import NIOCore
import ServerTesting
import ServiceLifecycle
@testable import SwitchboardDataFlow
@testable import SwitchboardMetrics
@testable import SwitchboardSnapshot
@testable import SwitchboardWeb
import Testing

@Suite struct MetricsTests {
    /// A family's text is kept in chunks (never one buffer grown by doubling); joined, they are
    /// its lines in order, a line longer than a chunk included.
    @Test func familiesAreKeptInChunksThatJoinToTheirLines() {
        let lines = (0..<30_000).map { "switchboard_connector_failed{connector=\"c\($0)\"} 0\n" } + [String(repeating: "x", count: 300_000) + "\n", "last 1\n"]
        var chunks: [ByteBuffer] = []
        for line in lines { ServerMetrics.Desired.append(line, to: &chunks) }
        #expect(chunks.count > 3)
        #expect(chunks.allSatisfy { $0.readableBytes <= 300_001 + 64 })  // a chunk is never grown past what it was made for
        #expect(chunks.map { String(buffer: $0) }.joined() == lines.joined())
    }

    @Test func metricsFollowTheSnapshotWithTheTeamLabelAndNoConfigValues() throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(
            ServerFixture.connector("payments_orders", tasks: ["RUNNING", "FAILED"], config: ["topics": "orders", "db.password": "hunter2-literal"]),
            ServerFixture.connector("legacy-export", state: "FAILED", tasks: [])
        ))
        let store = fixture.dependencies.store
        fixture.dependencies.flow.record(["ingest/payments_orders": LagPoller.Reading(lag: SinkLag(perTopic: ["orders": 42]))], clusters: ["ingest"])
        let text = String(decoding: fixture.dependencies.metrics.emit(), as: UTF8.self)
        #expect(text.contains(#"switchboard_connector_state{cluster="ingest",connector="payments_orders",team="payments",type="sink",state="RUNNING"} 1"#))
        #expect(text.contains(#"switchboard_connector_failed_tasks{cluster="ingest",connector="payments_orders",team="payments",type="sink"} 1"#))
        #expect(text.contains(#"switchboard_task_state{cluster="ingest",connector="payments_orders",team="payments",type="sink",task="1",state="FAILED"} 1"#))
        #expect(text.contains(#"switchboard_connector_failed{cluster="ingest",connector="legacy-export",team="",type="sink"} 1"#))
        #expect(text.contains(#"switchboard_sink_topic_lag_records{cluster="ingest",connector="payments_orders",team="payments",topic="orders"} 42"#))
        #expect(text.contains(#"switchboard_sink_total_lag_records{cluster="ingest",connector="payments_orders",team="payments"} 42"#))
        #expect(text.contains(#"switchboard_cluster_up{cluster="ingest"} 1"#))
        #expect(text.contains("# HELP switchboard_connector_drift_keys"))
        #expect(!text.contains("hunter2") && !text.contains("orders\",db"), "no config values in labels")
    }

    @Test func seriesOfAnOldStateOrAGoneConnectorDisappear() throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders"), ServerFixture.connector("payments_gone")))
        let store = fixture.dependencies.store
        var read = ClusterRead()
        read.connectors = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(ServerFixture.snapshot(ServerFixture.connector("payments_orders", state: "PAUSED")).utf8))
        read.readAt = Date()
        store.load(["ingest": read])
        let text = String(decoding: fixture.dependencies.metrics.emit(), as: UTF8.self)
        #expect(text.contains(#"connector="payments_orders",team="payments",type="sink",state="PAUSED"} 1"#))
        #expect(!text.contains(#"connector="payments_orders",team="payments",type="sink",state="RUNNING""#), "the old state's series is gone")
        // Paused behind Switchboard's back (the catalog wants it running): state drift, with the team to page.
        #expect(text.contains(#"switchboard_connector_drift{cluster="ingest",connector="payments_orders",team="payments"} 1"#))
        #expect(store.current.connectors["ingest/payments_orders"]?.stateDrift == .running)
        #expect(!text.contains("payments_gone"))
    }

    /// A catalog without `kafka:` settings leaves the lag poller nothing to read; it must keep
    /// running until shutdown, since a service that ends takes the whole server down with it.
    @Test func theLagPollerWithoutBrokersWaitsForShutdownInsteadOfEndingTheServer() async throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders")))
        let poller = LagPoller(store: fixture.dependencies.store, flow: fixture.dependencies.flow)
        #expect(poller.readers.isEmpty)
        let group = ServiceGroup(configuration: .init(services: [.init(service: poller)], logger: Logger(label: "test")))
        async let running: Void = group.run()
        try await Task.sleep(for: .milliseconds(200))
        await group.triggerGracefulShutdown()
        try await running
    }

    @Test func actionsAndPollErrorsAreCounted() async throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders")))
        _ = await fixture.dependencies.actions.perform(.init(action: .pause, cluster: "ingest", connector: "payments_orders"), by: nil)
        await fixture.dependencies.store.refresh()
        let text = String(decoding: fixture.dependencies.metrics.emit(), as: UTF8.self)
        #expect(text.contains(#"switchboard_actions_total{cluster="ingest",team="payments",action="pause",outcome="denied"} 1"#))
        #expect(text.contains(#"switchboard_cluster_poll_errors_total{cluster="ingest"} 1"#))
        #expect(text.contains(#"switchboard_cluster_up{cluster="ingest"} 0"#))
    }
}
