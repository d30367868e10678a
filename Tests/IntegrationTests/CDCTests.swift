import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LocalStack
import ServerTesting
import StackTesting
import SwitchboardAPI
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardServer
import SwitchboardWeb
import TestSupport
import Testing

/// Debezium PostgreSQL CDC owned by one team, on cluster alpha, feeding a FileStream sink owned
/// by another team on cluster beta, both applied from one catalog.
@Suite("Debezium CDC across teams", .tags(.realStack))
struct CDCTests {
    @Test func changeEventsOfOneTeamReachASinkOfAnother() async throws {
        let stack = try await TestStack.shared.up()
        let postgres = try #require(stack.postgres)
        let catalog = try LiveCatalog()
        let id = String(catalog.team.dropFirst(4))
        let table = "orders_\(id)", slot = "sb_\(id)", prefix = "cdc\(id)"
        try await postgres.execute("CREATE TABLE public.\(table) (id serial PRIMARY KEY, customer text NOT NULL); INSERT INTO public.\(table) (customer) VALUES ('ada'), ('grace');")
        let secrets = catalog.data.appendingPathComponent("db.properties")
        try "password=postgres\n".write(to: secrets, atomically: true, encoding: .utf8)

        try catalog.connector("orders-cdc", className: "io.debezium.connector.postgresql.PostgresConnector", config: [
            "database.hostname": "127.0.0.1",
            "database.port": String(postgres.port),
            "database.user": "postgres",
            "database.password": "${file:\(secrets.path):password}",
            "database.dbname": "postgres",
            "plugin.name": "pgoutput",
            "slot.name": slot,
            "publication.name": "pub_\(id)",
            "publication.autocreate.mode": "filtered",
            "topic.prefix": prefix,
            "table.include.list": "public.\(table)",
        ])
        try catalog.fileSink("orders-events", team: catalog.otherTeam, topic: "\(prefix).public.\(table)", cluster: "beta")

        let applied = try await catalog.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.all)")
        #expect(!applied.all.contains("password=postgres"))

        let output = catalog.data.appendingPathComponent("orders-events.out")
        func events() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        try await eventually(timeout: .seconds(300), "the snapshot rows in \(output.path)") {
            events().contains("customer=ada") && events().contains("customer=grace") ? true : nil
        }
        try await postgres.execute("INSERT INTO public.\(table) (customer) VALUES ('hopper');")
        try await eventually(timeout: .seconds(180), "the inserted row in \(output.path)") {
            events().contains("customer=hopper") ? true : nil
        }
        #expect(events().contains("op=c"), "the insert arrives as a create event")

        try await lineageShowsOneCrossTeamPath(catalog, source: "alpha/\(catalog.team)_orders-cdc", topic: "\(prefix).public.\(table)", sink: "beta/\(catalog.otherTeam)_orders-events")

        // Clean up: connectors, then the replication slot once Debezium has let go of it.
        try await TestStack.shared.client("alpha").delete("\(catalog.team)_orders-cdc")
        try await TestStack.shared.client("beta").delete("\(catalog.otherTeam)_orders-events")
        _ = try? await eventually(timeout: .seconds(60), "the replication slot to be dropped") {
            (try? await postgres.execute("SELECT pg_drop_replication_slot('\(slot)');")) != nil ? true : nil
        }
    }

    /// The server's lineage of the pipeline: Connect reports the topic for both connectors (the
    /// topic poller reads them), and the two teams' connectors on two clusters make one path.
    func lineageShowsOneCrossTeamPath(_ catalog: LiveCatalog, source: String, topic: String, sink: String) async throws {
        let users = LocalUsers(entries: [.init(name: "carol", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil)])
        let dependencies = try await ServerDependencies.live(catalog.folder.root, users: users)
        let poller = TopicPoller(store: dependencies.store, flow: dependencies.flow)
        try await eventually(timeout: .seconds(60), "Connect to report the topic of both connectors") { () -> Bool? in
            await dependencies.store.refresh()
            await poller.poll()
            let book = dependencies.flow.topics
            return book.observed(source)?.topics.contains(topic) == true && book.observed(sink)?.topics.contains(topic) == true ? true : nil
        }
        // The lineage is built with each snapshot: the next one has the topics just read.
        await dependencies.store.refresh()
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let cookie = try await client.signIn("carol")
            let (status, json) = try await client.page("/api/v1/lineage?team=\(catalog.otherTeam)", cookie: cookie)
            #expect(status == .ok)
            let graph = try JSONDecoder().decode(LineageGraph.self, from: Data(json.utf8))
            let path = try #require(graph.crossTeamPaths.first { $0.source == source && $0.sink == sink }, "\(graph.crossTeamPaths)")
            #expect(path.sourceTeam == catalog.team && path.sinkTeam == catalog.otherTeam)
            #expect(path.topic.hasSuffix("/\(topic)"))
            #expect(graph.edges.contains { $0.from == source && $0.to == path.topic && $0.seen && $0.crossTeam })
            #expect(graph.edges.contains { $0.from == path.topic && $0.to == sink && $0.seen && $0.crossTeam })
            // The drawing on the team's page: both connectors, linked, and the crossing edges.
            let (_, page) = try await client.page("/teams/\(catalog.otherTeam)", cookie: cookie)
            let drawing = try #require(try SVGElements.all(in: page).first { $0.elements.contains { $0.attributes["class"] == "node topic" } })
            let nodes = drawing.elements.compactMap { $0.attributes["class"] == "node connector" ? $0.attributes["data-id"] : nil }
            #expect(Set(nodes).isSuperset(of: [source, sink]))
            #expect(drawing.elements.filter { $0.attributes["class"] == "edge cross-team" }.count >= 2)
            #expect(!page.contains("password=postgres"))
        }
    }
}
