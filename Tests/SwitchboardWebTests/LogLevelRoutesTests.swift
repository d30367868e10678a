import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServerTesting
@testable import SwitchboardControllers
import SwitchboardCore
@testable import SwitchboardStorage
@testable import SwitchboardWeb
import Synchronization
import TestSupport
import Testing

/// Log levels through the API and the cluster page: who may set which logger, bad input, what
/// reaches Connect, and the level put back when its time is up. Connect is scripted here (its
/// answers of both releases); the real workers are in IntegrationTests.
@Suite struct LogLevelRoutesTests {
    /// What a scripted Connect was sent.
    final class Recorded: Sendable {
        private let value = Mutex<[String]>([])
        func add(_ text: String) { value.withLock { $0.append(text) } }
        var all: [String] { value.withLock { $0 } }
        func clear() { value.withLock { $0 = [] } }
    }

    /// A sink of class org.example.Sink owned by payments (alice); sam operates it, rita reads it.
    static let connectors = ServerFixture.snapshot(ServerFixture.connector("payments_orders"))

    /// A Connect of `release` that lists the fixture's connector, answers a logger's level, and
    /// records every PUT.
    static func connect(release: String, puts: Recorded) async throws -> FaultServer {
        try await FaultServer.start(.scripted { request in
            if request.method == "PUT" {
                puts.add("\(request.uri) \(request.body)")
                return .init(status: request.uri.contains("scope=cluster") ? 204 : 200, body: request.uri.contains("scope=cluster") ? "" : "[]")
            }
            if request.uri.hasPrefix("/connectors?") { return .init(body: connectors) }
            if request.uri.hasPrefix("/admin/loggers/") { return .init(body: #"{"level":"INFO","last_modified":null}"#) }
            if request.uri == "/admin/loggers" { return .init(body: #"{"org.example":{"level":"WARN","last_modified":1}}"#) }
            return .init(body: #"{"version":"\#(release)","commit":"x","kafka_cluster_id":"k"}"#)
        })
    }

    func put(_ client: some TestClientProtocol, _ logger: String, _ body: String, as user: String) async throws -> (HTTPResponse.Status, String) {
        try await client.send(.put, "/api/v1/clusters/ingest/loggers/\(logger)", cookie: try await client.signIn(user), json: body)
    }

    @Test func ownersSetTheirClassesLoggersAdminsAnyAndEveryoneElseIsRefusedAndAudited() async throws {
        let puts = Recorded()
        let connect = try await Self.connect(release: "4.3.0", puts: puts)
        defer { Task { await connect.stop() } }
        let fixture = try ServerFixture(connectors: Self.connectors, clusterURL: connect.url)
        await fixture.dependencies.store.refresh()
        try await fixture.app.test(.router) { client in
            let (_, before) = try await client.page("/clusters/ingest", cookie: try await client.signIn("alice"))
            #expect(before.contains("No logger has been changed through Switchboard") && before.contains("<option selected>DEBUG</option>"), "an empty list says so; DEBUG is offered first")
            let (ok, answer) = try await put(client, "org.example", #"{"level": "debug", "minutes": 5}"#, as: "alice")
            #expect(ok == .ok, "\(answer)")
            #expect(answer.contains(#""level":"DEBUG""#) && answer.contains(#""previous":"INFO""#))
            #expect(puts.all == [#"/admin/loggers/org.example?scope=cluster {"level":"DEBUG"}"#], "one call for the whole cluster on 3.7+")
            // Wider than her class's package, another team's user, an operator: refused, each audited.
            for (user, logger) in [("alice", "org"), ("carol", "org.example"), ("sam", "org.example"), ("rita", "org.example.Sink")] {
                let (status, body) = try await put(client, logger, #"{"level": "DEBUG"}"#, as: user)
                #expect(status == .forbidden, "\(user) \(logger): \(body)")
                #expect(body.contains("needs a platform admin"), "\(body)")
            }
            #expect(try await put(client, "root", #"{"level": "WARN"}"#, as: "pat").0 == .ok, "an admin sets any logger")
            let (_, loggers) = try await client.page("/api/v1/clusters/ingest/loggers", cookie: try await client.signIn("vic"))
            #expect(loggers.contains(#""release":"4.3.0""#) && loggers.contains(#""org.example":"WARN""#) && loggers.contains(#""logger":"root""#))
            let (_, page) = try await client.page("/clusters/ingest", cookie: try await client.signIn("vic"))
            #expect(page.contains("Log levels") && page.contains("org.example") && page.contains("is put back at"))
        }
        let audit = try await fixture.dependencies.audit.recent(limit: 20).filter { $0.action == "set-log-level" }
        #expect(audit.filter { $0.outcome == .denied }.map(\.user).sorted() == ["alice", "carol", "rita", "sam"])
        #expect(audit.filter { $0.outcome == .succeeded }.count == 2)
    }

    @Test func badInputIsOneClearErrorAndReachesNeitherConnectNorTheLog() async throws {
        let puts = Recorded()
        let connect = try await Self.connect(release: "4.3.0", puts: puts)
        defer { Task { await connect.stop() } }
        let fixture = try ServerFixture(connectors: Self.connectors, clusterURL: connect.url)
        await fixture.dependencies.store.refresh()
        try await fixture.app.test(.router) { client in
            for (logger, body, words) in [
                ("org.example", #"{"level": "LOUD"}"#, "is not a level"),
                ("org..example", #"{"level": "DEBUG"}"#, "is not a logger name"),
                ("org.example;rm", #"{"level": "DEBUG"}"#, "is not a logger name"),
                ("org.example", #"{"level": "DEBUG", "minutes": 0}"#, "minutes must be between 1 and 1440"),
                ("org.example", #"{"level": "DEBUG", "minutes": 99999}"#, "minutes must be between 1 and 1440"),
                ("org.example", #"{"levels": "DEBUG"}"#, "send {"),
            ] {
                let (status, answer) = try await put(client, logger.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? logger, body, as: "pat")
                #expect(status == .badRequest, "\(logger) \(body): \(answer)")
                #expect(answer.contains(words), "\(answer)")
            }
            let (unknown, _) = try await client.send(.put, "/api/v1/clusters/nowhere/loggers/org.example", cookie: try await client.signIn("pat"), json: #"{"level": "DEBUG"}"#)
            #expect(unknown == .notFound)
        }
        #expect(puts.all.isEmpty)
        #expect(try await fixture.dependencies.audit.storage.logLevelChanges(cluster: nil, limit: 10).isEmpty)
    }

    /// A level whose time is up is put back by the controller (worker by worker before 3.7),
    /// audited as the controller's; a second change of the same logger keeps the first level.
    @Test func aLevelIsPutBackWhenItsTimeIsUp() async throws {
        let puts = Recorded()
        let connect = try await Self.connect(release: "3.6.1", puts: puts)
        defer { Task { await connect.stop() } }
        let fixture = try ServerFixture(connectors: Self.connectors, clusterURL: connect.url)
        await fixture.dependencies.store.refresh()
        try await fixture.app.test(.router) { client in
            let first = try await put(client, "org.example", #"{"level": "DEBUG", "minutes": 1}"#, as: "alice")
            let second = try await put(client, "org.example", #"{"level": "TRACE", "minutes": 1}"#, as: "alice")
            #expect(first.0 == .ok && second.0 == .ok, "\(first.1) \(second.1)")
        }
        let open = try await fixture.dependencies.audit.storage.openLogLevelChanges()
        #expect(open.count == 1 && open.first?.previous == "INFO" && open.first?.level == "TRACE", "the second change keeps the level from before the first")
        puts.clear()
        let restorer = LogLevelRestorer(store: fixture.dependencies.store, audit: fixture.dependencies.audit, logger: fixture.dependencies.logger)
        #expect(await restorer.restoreDue(now: Date()) == 0, "not due yet")
        #expect(await restorer.restoreDue(now: Date().addingTimeInterval(120)) == 1)
        #expect(puts.all == [#"/admin/loggers/org.example {"level":"INFO"}"#], "a 3.6 worker is set one by one")
        #expect(try await fixture.dependencies.audit.storage.openLogLevelChanges().isEmpty)
        let restored = try await fixture.dependencies.audit.recent(limit: 5).first { $0.action == "restore-log-level" }
        #expect(restored?.user == LogLevelRestorer.user && restored?.outcome == .succeeded && restored?.detail?.contains("back to INFO") == true)
    }

    @Test func aLoggerCoversItsClassItsPackageAndBelowOnly() {
        let theClass = "io.debezium.connector.postgresql.PostgresConnector"
        for logger in [theClass, "io.debezium.connector.postgresql", "io.debezium.connector.postgresql.connection"] {
            #expect(Permissions.covers(logger, theClass: theClass), "\(logger)")
        }
        for logger in ["io.debezium", "io.debezium.connector", "root", "io.debezium.connector.postgresqlx"] {
            #expect(!Permissions.covers(logger, theClass: theClass), "\(logger)")
        }
    }
}
