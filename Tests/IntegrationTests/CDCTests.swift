import ConnectClient
import Foundation
import LocalStack
import StackTesting
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

        // Clean up: connectors, then the replication slot once Debezium has let go of it.
        try await TestStack.shared.client("alpha").delete("\(catalog.team)_orders-cdc")
        try await TestStack.shared.client("beta").delete("\(catalog.otherTeam)_orders-events")
        _ = try? await eventually(timeout: .seconds(60), "the replication slot to be dropped") {
            (try? await postgres.execute("SELECT pg_drop_replication_slot('\(slot)');")) != nil ? true : nil
        }
    }
}
