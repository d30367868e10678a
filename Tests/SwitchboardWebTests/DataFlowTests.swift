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

/// The lineage (connectors -> topics -> connectors), its drawing, the history behind the charts
/// and the pages that show them.
@Suite struct DataFlowTests {
    /// Clusters ingest and analytics share a broker (named in another order and case); cluster
    /// solo has no `kafka:` settings, so its topics are its own.
    static func platform() throws -> (Catalog, Snapshot, TopicBook) {
        let folder = try CatalogFolder([
            "switchboard.yaml": """
                clusters:
                  - name: ingest
                    url: http://127.0.0.1:1
                    kafka: {bootstrapServers: "b:9092,a:9092"}
                  - name: analytics
                    url: http://127.0.0.1:2
                    kafka: {bootstrapServers: "A:9092, b:9092"}
                  - name: solo
                    url: http://127.0.0.1:3
                """,
            "teams/payments/team.yaml": "members: [alice]\n",
            "teams/analytics/team.yaml": "members: [carol]\n",
        ])
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        func read(_ connectors: [String]) throws -> ClusterRead {
            var read = ClusterRead()
            read.connectors = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(ServerFixture.snapshot(connectors).utf8))
            read.readAt = Date()
            return read
        }
        let snapshot = Snapshot.build(catalog: catalog, reads: [
            "ingest": try read([
                ServerFixture.connector("payments_orders-cdc", config: ["topic.prefix": "payments", "table.include.list": "public.orders"], type: "source"),
                ServerFixture.connector("payments_receipts-source", config: ["topic": "payments.receipts"], type: "source"),
                ServerFixture.connector("payments_receipts-archive", state: "FAILED", tasks: ["FAILED"], config: ["topics": "payments.receipts"]),
                ServerFixture.connector("payments_<b>odd'&", config: ["topic": "x</text><evil>"], type: "source"),
            ]),
            "analytics": try read([
                ServerFixture.connector("analytics_orders-events", config: ["topics": "payments.public.orders"]),
                ServerFixture.connector("analytics_everything", config: ["topics.regex": "payments\\..*"]),
                ServerFixture.connector("analytics_idle", config: [:], type: "source"),
            ]),
            "solo": try read([ServerFixture.connector("analytics_solo", config: ["topics": "payments.public.orders"])]),
        ])
        let book = TopicBook()
        book.record("ingest/payments_orders-cdc", topics: ["payments.public.orders"])
        book.setBrokerTopics(cluster: "ingest", names: ["payments.public.orders", "payments.receipts", "__consumer_offsets"])
        return (catalog, snapshot, book)
    }

    static let orders = "topic:a:9092,b:9092/payments.public.orders"

    @Test func aSourceOfOneTeamFeedingASinkOfAnotherOnAnotherClusterIsOneCrossTeamPath() throws {
        let (catalog, snapshot, book) = try Self.platform()
        let graph = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: book).graph(.platform)
        let path = LineageGraph.CrossTeamPath(source: "ingest/payments_orders-cdc", topic: Self.orders, sink: "analytics/analytics_orders-events", sourceTeam: "payments", sinkTeam: "analytics")
        #expect(graph.crossTeamPaths.contains(path))
        // Reported by Connect (seen) for the source; named by the sink's config only.
        #expect(graph.edges.contains(.init(from: "ingest/payments_orders-cdc", to: Self.orders, seen: true, crossTeam: true)))
        #expect(graph.edges.contains(.init(from: Self.orders, to: "analytics/analytics_orders-events", seen: false, crossTeam: true)))
        // Within one team: not crossing.
        #expect(graph.edges.contains(.init(from: "ingest/payments_receipts-source", to: "topic:a:9092,b:9092/payments.receipts", seen: false, crossTeam: false)) == false)
        #expect(graph.edges.contains { $0.from == "ingest/payments_receipts-source" && !$0.crossTeam } == false, "analytics_everything reads receipts too: that path crosses")
        // topics.regex matches the broker's topics; a cluster without kafka settings has its own topics.
        #expect(graph.edges.contains { $0.to == "analytics/analytics_everything" && $0.from == Self.orders })
        #expect(graph.edges.contains { $0.to == "solo/analytics_solo" && $0.from == "topic:cluster solo/payments.public.orders" })
        #expect(!graph.edges.contains { $0.to == "solo/analytics_solo" && $0.from == Self.orders })
        #expect(graph.withoutTopics == ["analytics/analytics_idle"])
        #expect(!graph.topics.contains { $0.name.hasPrefix("__") })
    }

    @Test func scopesCutTheGraphAroundATeamAConnectorOrATopic() throws {
        let (catalog, snapshot, book) = try Self.platform()
        let index = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: book)
        let analytics = index.graph(.team("analytics"))
        // The team's sinks and the other team's sources that feed them.
        #expect(Set(analytics.connectors.map(\.id)).isSuperset(of: ["analytics/analytics_orders-events", "ingest/payments_orders-cdc", "solo/analytics_solo"]))
        let sink = index.graph(.connector("analytics/analytics_orders-events"))
        #expect(Set(sink.connectors.map(\.id)) == ["analytics/analytics_orders-events", "ingest/payments_orders-cdc", "analytics/analytics_everything"])
        #expect(sink.topics.map(\.id) == [Self.orders])
        let topic = index.graph(.topic("payments.receipts"))
        #expect(Set(topic.connectors.map(\.id)) == ["ingest/payments_receipts-source", "ingest/payments_receipts-archive", "analytics/analytics_everything"])
        #expect(index.graph(.connector("nowhere/none")).connectors.isEmpty)
    }

    @Test func aRebuildReusesWhatConfigsNameUntilTheBrokersTopicsChange() throws {
        let (catalog, snapshot, book) = try Self.platform()
        let first = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: book)
        let again = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: book, previous: first)
        #expect(again.graph(.platform) == first.graph(.platform))
        // A new topic on the broker: the regex sink reads it at the next build.
        book.setBrokerTopics(cluster: "ingest", names: ["payments.public.orders", "payments.receipts", "payments.refunds"])
        let later = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: book, previous: again)
        #expect(later.topics(of: "analytics/analytics_everything").map(\.name).contains("payments.refunds"))
        #expect(!first.topics(of: "analytics/analytics_everything").map(\.name).contains("payments.refunds"))
    }

    @Test func theDrawingIsWellFormedSVGWithEveryNodeAndEdge() throws {
        let (catalog, snapshot, book) = try Self.platform()
        let graph = LineageIndex.build(snapshot: snapshot, catalog: catalog, book: book).graph(.platform)
        let svg = LineageDrawing.svg(graph).markup
        let parsed = try SVGElements(svg)
        #expect(parsed.root == "svg")
        let connectorNodes = parsed.elements.filter { $0.name == "g" && $0.attributes["class"] == "node connector" }.compactMap { $0.attributes["data-id"] }
        #expect(Set(connectorNodes) == Set(graph.connectors.map(\.id)))
        #expect(connectorNodes.contains("ingest/payments_<b>odd'&"), "a hostile name is escaped, not markup")
        let topicNodes = parsed.elements.filter { $0.attributes["class"] == "node topic" }.compactMap { $0.attributes["data-id"] }
        #expect(Set(topicNodes) == Set(graph.topics.map(\.id)))
        let edges = parsed.elements.filter { $0.name == "path" && ($0.attributes["class"] ?? "").hasPrefix("edge") }
        #expect(edges.count == graph.edges.count)
        let crossing = edges.filter { $0.attributes["class"] == "edge cross-team" }.map { "\($0.attributes["data-from"]!)>\($0.attributes["data-to"]!)" }
        #expect(crossing.contains("ingest/payments_orders-cdc>\(Self.orders)"))
        #expect(crossing.contains("\(Self.orders)>analytics/analytics_orders-events"))
        #expect(parsed.elements.filter { $0.name == "a" }.contains { $0.attributes["href"] == "/clusters/analytics/connectors/analytics_orders-events" })
        #expect(!svg.contains("<evil>"))
    }

    @Test func aDrawingOfThousandsOfConnectorsShowsAFewAndCountsTheRest() throws {
        let connectors = (0..<1500).map { LineageGraph.Connector(id: "c/s\($0)", name: "s\($0)", cluster: "c", team: "t", type: "source", health: "RUNNING") }
        let graph = LineageGraph(connectors: connectors, topics: [.init(id: "topic:k/t", name: "t", kafka: "k")],
                                 edges: connectors.map { .init(from: $0.id, to: "topic:k/t", seen: true, crossTeam: false) }, crossTeamPaths: [], withoutTopics: [])
        let parsed = try SVGElements(LineageDrawing.svg(graph).markup)
        #expect(parsed.elements.filter { $0.attributes["class"] == "node connector" }.count == LineageDrawing.maxPerColumn)
        #expect(parsed.text.contains("+\(1500 - LineageDrawing.maxPerColumn) more"))
    }

    @Test func historyKeepsOneSamplePerIntervalWithinItsCapacityAndTakesRatesFromCounters() {
        let history = FlowHistory(capacity: 3, resolution: 60)
        let start = Date(timeIntervalSince1970: 1_800_000_000) // on a minute boundary
        #expect(history.record("c/s", lag: 10, counter: 1000, at: start) == nil, "no rate from one reading")
        #expect(history.record("c/s", lag: 12, counter: 1300, at: start.addingTimeInterval(30)) == 10)
        // A new minute: the rate runs from the last reading of the previous one.
        #expect(history.record("c/s", lag: 15, counter: 1900, at: start.addingTimeInterval(90)) == 10)
        var series = history.series("c/s")
        #expect(series.samples.map(\.lag) == [12, 15], "the newest reading of each minute")
        history.record("c/s", lag: 20, counter: 2500, at: start.addingTimeInterval(150))
        history.record("c/s", lag: 30, counter: 100, at: start.addingTimeInterval(210)) // offsets reset
        series = history.series("c/s")
        #expect(series.samples.count == 3, "at most the capacity")
        #expect(series.samples.map(\.lag) == [15, 20, 30])
        #expect(series.samples.last?.recordsPerSecond == nil, "a counter that went back has no rate")
        #expect(series.lagGrows(now: start.addingTimeInterval(220)))
        #expect(history.series("c/s", since: start.addingTimeInterval(200)).samples.count == 1)
    }

    @Test func stateChangesAreKeptAndConnectorsThatAreGoneForgotten() throws {
        let (_, snapshot, _) = try Self.platform()
        let history = FlowHistory()
        let start = Date()
        history.observe(snapshot, at: start)
        history.observe(snapshot, at: start.addingTimeInterval(5))
        #expect(history.series("ingest/payments_receipts-archive").states == [.init(at: start, health: "FAILED")])
        history.observe(Snapshot.empty, at: start.addingTimeInterval(10))
        #expect(history.series("ingest/payments_receipts-archive").states.isEmpty)
    }

    @Test func chartsAreWellFormedAndBreakWhereReadingsStop() throws {
        let now = Date(timeIntervalSince1970: 1_800_003_600)
        let from = now.addingTimeInterval(-3600)
        let points = [0, 60, 120, 1800, 1860].map { (at: from.addingTimeInterval(TimeInterval($0)), value: Double($0)) }
        let parsed = try SVGElements(Charts.line(points, from: from, to: now, title: "Lag of <x>", unit: "records", gap: 150).markup)
        #expect(parsed.elements.filter { $0.name == "polyline" }.count == 2)
        #expect(parsed.text.contains("Lag of <x>"))
        let states = try SVGElements(Charts.states([.init(at: from, health: "RUNNING"), .init(at: from.addingTimeInterval(600), health: "PAUSED")], from: from, to: now).markup)
        #expect(states.elements.filter { $0.name == "rect" }.count == 2)
        let empty = try SVGElements(Charts.line([], from: from, to: now, title: "Throughput", unit: "records/s", gap: 150).markup)
        #expect(empty.text.contains("No readings"))
    }

    @Test func pagesAndTheAPIShowTheLineageAndTheCharts() async throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(
            ServerFixture.connector("payments_orders", config: ["topics": "orders", "db.password": "hunter2-literal"]),
            ServerFixture.connector("payments_source", config: ["topic": "orders"], type: "source"),
            ServerFixture.connector("payments_broken", state: "FAILED", tasks: ["FAILED"], config: ["topics": "orders"]),
            // A config that names a "topic" holding a credential: user data, scrubbed like the rest.
            ServerFixture.connector("payments_careless", config: ["topics": "jdbc:postgresql://app:Hunter2-s3cr3t@db:5432/x"])
        ))
        let flow = fixture.dependencies.flow
        let now = Date()
        for minute in 0..<5 {
            flow.history.record("ingest/payments_orders", lag: Int64(100 * minute), counter: Int64(600 * minute), at: now.addingTimeInterval(TimeInterval(60 * (minute - 5))))
        }
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("vic")
            let (status, lineage) = try await client.page("/lineage", cookie: cookie)
            #expect(status == .ok)
            #expect(lineage.contains("<svg") && lineage.contains("data-id=\"ingest/payments_source\""))
            let (_, team) = try await client.page("/teams/payments", cookie: cookie)
            for heading in ["Needs attention", "Lag growing", "Throughput", "Where the data goes", "Recent actions", "Alerts go to"] {
                #expect(team.contains(heading), "the team page has \(heading)")
            }
            #expect(team.contains("payments_broken"))
            let (_, connector) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: cookie)
            #expect(connector.contains("Data flow") && connector.contains("Consumer lag") && connector.contains("Throughput"))
            let (_, json) = try await client.page("/api/v1/lineage?team=payments", cookie: cookie)
            let graph = try JSONDecoder().decode(LineageGraph.self, from: Data(json.utf8))
            #expect(graph.edges.contains { $0.from == "ingest/payments_source" })
            let (_, history) = try await client.page("/api/v1/clusters/ingest/connectors/payments_orders/history?hours=1", cookie: cookie)
            let series = try JSONDecoder.iso.decode(FlowSeries.self, from: Data(history.utf8))
            #expect(series.samples.count == 5 && series.source == "memory")
            for bad in ["hours=0", "hours=abc", "hours=1e9", "hours=nan"] {
                let (status, body) = try await client.page("/api/v1/clusters/ingest/connectors/payments_orders/history?\(bad)", cookie: cookie)
                #expect(status == .badRequest && body.contains("hours"), "\(bad)")
            }
            #expect(try await client.page("/api/v1/clusters/ingest/connectors/nope/history", cookie: cookie).0 == .notFound)
            #expect(try await client.page("/api/v1/lineage", cookie: nil).0 == .unauthorized)
            for page in [lineage, team, connector] {
                #expect(try !SVGElements.all(in: page).isEmpty, "every drawing on the page is well-formed SVG")
            }
            let (_, everything) = try await client.page("/api/v1/lineage", cookie: cookie)
            let (_, careless) = try await client.page("/clusters/ingest/connectors/payments_careless", cookie: cookie)
            #expect(everything.contains("payments_careless"))
            for page in [lineage, team, connector, json, history, everything, careless] {
                #expect(!page.contains("hunter2") && !page.contains("Hunter2-s3cr3t"), "no secret on any data-flow page")
            }
        }
    }

    @Test func prometheusRangesBecomeTheSameSeriesAndItsFailuresSayWhatWasSeen() async throws {
        let answers = FaultServer.Answer(body: """
            {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"state":"RUNNING"},"values":[[1800000000,"1"],[1800000060,"1"]]},{"metric":{"state":"PAUSED"},"values":[[1800000120,"1"]]}]}}
            """)
        let none = FaultServer.Answer(body: #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
        let server = try await FaultServer.start(.scripted { $0.uri.contains("switchboard_connector_state") ? answers : none })
        defer { Task { await server.stop() } }
        let ranges = PrometheusRanges(url: URL(string: server.url)!, timeout: .seconds(2))
        let series = try await ranges.series(cluster: "c", connector: "n\"}or vector(1)", from: Date(timeIntervalSince1970: 1_799_999_000), to: Date(timeIntervalSince1970: 1_800_000_200))
        #expect(series.source == "prometheus")
        #expect(series.states.map(\.health) == ["RUNNING", "PAUSED"])
        #expect(PrometheusRanges.quoted("n\"}or vector(1)") == "n\\\"}or vector(1)")

        let silent = try await FaultServer.start(.silent)
        defer { Task { await silent.stop() } }
        let started = ContinuousClock.now
        await #expect(throws: PrometheusRanges.Failure.self) {
            try await PrometheusRanges(url: URL(string: silent.url)!, timeout: .seconds(1)).series(cluster: "c", connector: "n", from: Date().addingTimeInterval(-60), to: Date())
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        let failing = try await FaultServer.start(.answer(.init(status: 503, body: "overloaded")))
        defer { Task { await failing.stop() } }
        let flow = DataFlow(prometheus: PrometheusRanges(url: URL(string: failing.url)!, timeout: .seconds(2)))
        let fallback = await flow.series(cluster: "c", connector: "n")
        #expect(fallback.source == "memory")
        #expect(fallback.problem?.contains("answered 503") == true)
        #expect(PrometheusRanges.problem("ftp://x") != nil && PrometheusRanges.problem("http://prometheus:9090") == nil)
    }
}

extension JSONDecoder {
    static var iso: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
