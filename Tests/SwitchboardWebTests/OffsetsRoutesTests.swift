import ConnectClient
import Crypto
import Foundation
import KafkaLag
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServerTesting
@testable import SwitchboardWeb
import Synchronization
import SwitchboardCore
import TestSupport
import Testing

/// Offsets through pages and API, against a fake Connect that records what it is sent (the
/// real worker's reset and alter are in IntegrationTests/OffsetsLiveTests).
@Suite struct OffsetsRoutesTests {
    /// A source whose offsets quote a JDBC URL with a password, as a careless source could.
    static let offsets = #"{"offsets":[{"partition":{"query":"jdbc:postgresql://app:s3cr3t-pw@db:5432/orders"},"offset":{"position":7}}]}"#

    /// What the fake Connect holds: the connector's state, and every write it was sent.
    final class Recorder: Sendable {
        let state: Mutex<String>
        let writes = Mutex<[String]>([])
        init(state: String) { self.state = Mutex(state) }
    }

    struct FakeConnect: Sendable {
        let server: FaultServer
        let recorder: Recorder
        var writes: [String] { recorder.writes.withLock { $0 } }

        init(state: String) async throws {
            let recorder = Recorder(state: state)
            self.recorder = recorder
            server = try await FaultServer.start(.scripted { request in
                let state = recorder.state.withLock { $0 }
                switch (request.method, request.uri) {
                case ("GET", let uri) where uri.hasPrefix("/connectors?"):
                    return .init(body: ServerFixture.snapshot(ServerFixture.connector("payments_orders", state: state)))
                case ("GET", "/connectors/payments_orders/status"):
                    return .init(body: #"{"name":"payments_orders","connector":{"state":"\#(state)","worker_id":"w1:8083"},"tasks":[],"type":"source"}"#)
                case ("GET", "/connectors/payments_orders/topics"):
                    return .init(body: #"{"payments_orders":{"topics":["orders"]}}"#)
                case ("GET", "/connectors/payments_orders/offsets"):
                    return .init(body: recorder.writes.withLock { $0.contains { $0.hasPrefix("DELETE") } } ? #"{"offsets":[]}"# : OffsetsRoutesTests.offsets)
                default:
                    recorder.writes.withLock { $0.append("\(request.method) \(request.uri) \(request.body)") }
                    return .init(body: #"{"message":"The offsets for this connector have been reset successfully"}"#)
                }
            })
        }
    }

    func withServer(state: String, _ body: @Sendable (any TestClientProtocol, FakeConnect, ServerFixture) async throws -> Void) async throws {
        let connect = try await FakeConnect(state: state)
        defer { Task { await connect.server.stop() } }
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders", state: state)), clusterURL: connect.server.url, access: "  signedIn: viewer\n")
        try await fixture.app.test(.router) { client in try await body(client, connect, fixture) }
    }

    func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, user: String, body: String? = nil) async throws -> (HTTPResponse.Status, String) {
        let cookie = try await client.signIn(user)
        var headers: HTTPFields = [.cookie: cookie]
        headers[HTTPField.Name("X-CSRF-Token")!] = try await client.csrf(cookie: cookie)
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
    }

    static let api = "/api/v1/clusters/ingest/connectors/payments_orders/offsets"

    @Test func readersReadOffsetsScrubbedAndViewersAreRefusedAndAudited() async throws {
        try await withServer(state: "RUNNING") { client, _, fixture in
            let (status, body) = try await client.page(Self.api, cookie: try await client.signIn("rita"))
            #expect(status == .ok)
            #expect(body.contains("position") && !body.contains("s3cr3t-pw"), "\(body)")
            let (page, html) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: try await client.signIn("rita"))
            #expect(page == .ok && html.contains("position") && !html.contains("s3cr3t-pw"))
            #expect(!html.contains("offsets/reset"), "a reader gets no offsets forms")
            let (refused, why) = try await client.page(Self.api, cookie: try await client.signIn("vic"))
            #expect(refused == .forbidden && why.contains("needs the role reader or higher (has viewer)"), "\(why)")
            let row = try #require(try await fixture.dependencies.audit.recent().first)
            #expect(row.user == "vic" && row.action == "view-offsets" && row.outcome == .denied)
        }
    }

    @Test func nothingIsChangedUnlessTheConnectorIsStopped() async throws {
        try await withServer(state: "RUNNING") { client, connect, fixture in
            let (status, body) = try await send(client, .delete, Self.api, user: "alice")
            #expect(status == .conflict && body.contains("is RUNNING") && body.contains("STOPPED"), "\(body)")
            let (page, html) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: try await client.signIn("alice"))
            #expect(page == .ok && html.contains("only while the connector is STOPPED") && !html.contains("offsets/reset\""))
            #expect(connect.writes.isEmpty, "nothing was sent")
            #expect(try await fixture.dependencies.audit.recent().first?.outcome == .failed)
        }
    }

    @Test func anOwnerResetsAStoppedConnectorAndTheAuditKeepsBeforeAndAfterScrubbed() async throws {
        try await withServer(state: "STOPPED") { client, connect, fixture in
            // An operator is refused; nothing is sent.
            let (refused, _) = try await send(client, .delete, Self.api, user: "sam")
            #expect(refused == .forbidden)
            #expect(connect.writes.isEmpty)
            // The page offers the forms; an unconfirmed one changes nothing.
            let alice = try await client.signIn("alice")
            let (_, html) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: alice)
            #expect(html.contains("offsets/reset") && html.contains("offsets/alter") && !html.contains("s3cr3t-pw"))
            let csrf = try await client.csrf(cookie: alice)
            let form: HTTPFields = [.cookie: alice, .contentType: "application/x-www-form-urlencoded"]
            let unconfirmed = try await client.execute(uri: "/clusters/ingest/connectors/payments_orders/offsets/reset", method: .post, headers: form,
                                                       body: ByteBuffer(string: "csrf=\(csrf)&confirm=payments")) { $0.status }
            #expect(unconfirmed == .badRequest)
            let badAlter = try await client.execute(uri: "/clusters/ingest/connectors/payments_orders/offsets/alter", method: .post, headers: form,
                                                    body: ByteBuffer(string: "csrf=\(csrf)&confirm=payments_orders&offsets=%7B%7D")) { ($0.status, String(buffer: $0.body)) }
            #expect(badAlter.0 == .badRequest && badAlter.1.contains("Nothing was changed"))
            #expect(connect.writes.isEmpty)

            let (status, body) = try await send(client, .delete, Self.api, user: "alice")
            #expect(status == .ok, "\(body)")
            #expect(body.contains(#""before""#) && !body.contains("s3cr3t-pw"), "\(body)")
            #expect(connect.writes == ["DELETE /connectors/payments_orders/offsets "])
            let row = try #require(try await fixture.dependencies.audit.recent().first)
            #expect(row.action == "reset-offsets" && row.outcome == .succeeded && row.user == "alice")
            #expect(row.offsetsBefore?.contains("position") == true && row.offsetsBefore?.contains("s3cr3t-pw") == false, "\(row)")
            #expect(row.offsetsAfter == #"{"offsets":[]}"#)
            // The audit page shows them to readers, not to viewers.
            let (_, readerAudit) = try await client.page("/audit", cookie: try await client.signIn("rita"))
            #expect(readerAudit.contains("offsets before and after"))
            let (_, viewerAudit) = try await client.page("/api/v1/audit", cookie: try await client.signIn("vic"))
            #expect(viewerAudit.contains("reset-offsets") && !viewerAudit.contains("position"), "\(viewerAudit)")
        }
    }

    @Test func anAlterSendsThePartitionsGivenButNeverAMaskedValue() async throws {
        try await withServer(state: "STOPPED") { client, connect, _ in
            let (masked, refusal) = try await send(client, .patch, Self.api, user: "alice", body: #"{"offsets":[{"partition":{"query":"jdbc:postgresql://(secret)@db:5432/orders"},"offset":{"position":0}}]}"#)
            #expect(masked == .conflict && refusal.contains("mask"), "\(refusal)")
            #expect(connect.writes.isEmpty)
            let (bad, why) = try await send(client, .patch, Self.api, user: "alice", body: #"{"offsets":[{"partition":{},"offset":{}}]}"#)
            #expect(bad == .badRequest && why.contains("offsets[0]"))
            let (status, body) = try await send(client, .patch, Self.api, user: "alice", body: #"{"offsets":[{"partition":{"filename":"/in"},"offset":{"position":0}}]}"#)
            #expect(status == .ok, "\(body)")
            #expect(connect.writes == [#"PATCH /connectors/payments_orders/offsets {"offsets":[{"offset":{"position":0},"partition":{"filename":"\/in"}}]}"#]
                    || connect.writes == [#"PATCH /connectors/payments_orders/offsets {"offsets":[{"offset":{"position":0},"partition":{"filename":"/in"}}]}"#], "\(connect.writes)")
        }
    }

    @Test func aSinksOffsetsAreListedPerTopicPartitionBesideTheLag() throws {
        let offsets = try JSONDecoder().decode(ConnectorOffsets.self, from: Data(#"""
            {"offsets":[{"partition":{"kafka_topic":"orders","kafka_partition":1},"offset":{"kafka_offset":40}},
                        {"partition":{"kafka_topic":"orders","kafka_partition":0},"offset":{"kafka_offset":12}}]}
            """#.utf8))
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders", state: "STOPPED")))
        let connector = try #require(fixture.dependencies.store.current.connectors["ingest/payments_orders"])
        let context = PageContext(user: nil, session: nil, tokens: Tokens(secret: SymmetricKey(size: .bits256)), snapshot: .empty, insecure: false)
        let owner = ConnectorPage.Access(role: .owner, capabilities: Set(Capability.allCases), operateNeeds: .operator)
        let html = ConnectorPage.offsetsSection(context, connector: connector, access: owner, live: .init(topics: ["orders"], offsets: offsets), lag: SinkLag(perTopic: ["orders": 7])).markup
        let rows = html.matches(of: /<tr><td><code>orders<\/code><\/td><td>(\d)<\/td><td>(\d+)<\/td><td>7<\/td><\/tr>/).map { "\($0.1):\($0.2)" }
        #expect(rows == ["0:12", "1:40"], "\(html)")
        #expect(html.contains("Consumer lag: <strong>7</strong>"))
        #expect(html.contains("offsets/reset") && html.contains("offsets/alter"), "stopped, for an owner: the forms")
        let reader = ConnectorPage.Access(role: .reader, capabilities: [.viewStatus, .viewConfig], operateNeeds: .operator)
        #expect(!ConnectorPage.offsetsSection(context, connector: connector, access: reader, live: .init(offsets: offsets), lag: nil).markup.contains("<form"))
    }
}
