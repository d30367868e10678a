import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Reconciler
import ServerTesting
import StackTesting
import SwitchboardWeb
import TestSupport
import SwitchboardCore
import SwitchboardServer
import Testing

/// KIP-875 offsets through Switchboard against the real worker: a FileStream source and a sink,
/// on cluster beta (most tests write to alpha, and a busy worker lists offsets slowly).
@Suite("Offsets against real Connect", .tags(.realStack))
struct OffsetsLiveTests {
    static let users = LocalUsers(entries: ["alice", "sam"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: $0 == "sam" ? ["sre"] : [], email: nil) })

    @Test func aStoppedSourceResetByItsOwnerReadsItsFileAgainAndTheAuditKeepsBeforeAndAfter() async throws {
        try await TestStack.shared.up()
        let worker = TestStack.shared.client("beta")
        let live = try LiveCatalog(teamYAML: { team in "members: [alice]\nroles:\n  operator:\n    groups: [sre]\n" })
        let topic = "\(live.team)-offsets"
        let input = live.data.appendingPathComponent("lines.in"), output = live.data.appendingPathComponent("copy.out")
        try "one\ntwo\nthree\n".write(to: input, atomically: true, encoding: .utf8)
        try live.fileSource("lines", topic: topic, cluster: "beta")
        try live.fileSink("copy", topic: topic, cluster: "beta")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let source = "\(live.team)_lines", sink = "\(live.team)_copy"
        @Sendable func copied() -> [String] {
            ((try? String(contentsOf: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)  // not written yet: nothing copied
        }
        try await eventually(timeout: .seconds(120), "the sink to copy the three lines") { copied().count >= 3 ? true : nil }

        let dependencies = try await ServerDependencies.live(live.folder.root, users: Self.users, details: true)
        let audit = dependencies.audit
        let app = Application(router: buildRouter(dependencies))
        let api = "/api/v1/clusters/beta/connectors"

        try await app.test(.router) { client in
            let alice = try await client.signIn("alice"), sam = try await client.signIn("sam")

            // Both connectors' offsets can be read: the source's own map, the sink's per topic-partition.
            let (_, sourceOffsets) = try await client.page("\(api)/\(source)/offsets", cookie: alice)
            #expect(sourceOffsets.contains("position") && sourceOffsets.contains("lines.in"), "\(sourceOffsets)")
            let sinkRead = try await eventually(timeout: .seconds(60), "the sink to commit an offset") { () -> ConnectorOffsets? in
                let (_, body) = try await client.page("\(api)/\(sink)/offsets", cookie: alice)
                let offsets = try JSONDecoder().decode(ConnectorOffsets.self, from: Data(body.utf8))
                return offsets.offsets.contains { $0.sinkPosition?.topic == topic && ($0.sinkPosition?.offset ?? 0) > 0 } ? offsets : nil
            }
            // (The page's table of them is checked in OffsetsRoutesTests: this worker takes up to 17 s to
            // list a sink's offsets while its group rebalances, longer than a page waits.)
            #expect(sinkRead.offsets.allSatisfy { $0.sinkPosition != nil })

            // A running connector's offsets are not reset: a clear message, nothing changed.
            let (running, refusal) = try await client.send(.delete, "\(api)/\(source)/offsets", cookie: alice)
            #expect(running == .conflict, "\(refusal)")
            #expect(refusal.contains("STOPPED") && refusal.contains("Stop it"), "\(refusal)")
            // An operator may stop it but not reset it.
            #expect(try await client.send("\(api)/\(source)/actions/stop", cookie: sam).0 == .ok)
            try await eventually(timeout: .seconds(60), "\(source) to stop") { try await worker.status(of: source).connector.state == .stopped ? true : nil }
            let (operatorReset, denial) = try await client.send(.delete, "\(api)/\(source)/offsets", cookie: sam)
            #expect(operatorReset == .forbidden, "\(denial)")
            #expect(denial.contains("needs the role owner or higher (has operator)"))

            // The owner resets it through the page's form, confirmed by the connector's name.
            let form = "/clusters/beta/connectors/\(source)/offsets/reset"
            #expect(try await client.send(form, cookie: alice, form: ["confirm": "wrong"]).0 == .badRequest, "an unconfirmed reset changes nothing")
            let (reset, answer) = try await client.send(form, cookie: alice, form: ["confirm": source])
            #expect(reset == .seeOther, "\(answer)")
            // Connect can list a reset partition with a null offset until its topic is compacted.
            #expect(try await worker.readOffsets(of: source).offsets.allSatisfy { $0.offset == nil })

            // Resumed, it reads the file from the start: the lines arrive a second time.
            #expect(try await client.send("\(api)/\(source)/actions/resume", cookie: alice).0 == .ok)
            try await eventually(timeout: .seconds(120), "the three lines to be copied again") { copied().count >= 6 ? true : nil }
            #expect(copied() == ["one", "two", "three", "one", "two", "three"])
        }

        let rows = try await audit.recent()
        let resetRow = try #require(rows.first { $0.action == "reset-offsets" && $0.outcome == .succeeded })
        #expect(resetRow.user == "alice")
        #expect(resetRow.offsetsBefore?.contains("position") == true, "\(resetRow.offsetsBefore ?? "")")
        let after = try JSONDecoder().decode(ConnectorOffsets.self, from: Data((resetRow.offsetsAfter ?? "").utf8))
        #expect(after.offsets.allSatisfy { $0.offset == nil }, "\(resetRow.offsetsAfter ?? "")")
        #expect(rows.contains { $0.user == "sam" && $0.action == "reset-offsets" && $0.outcome == .denied })
        #expect(rows.contains { $0.user == "alice" && $0.action == "reset-offsets" && $0.outcome == .failed && ($0.detail ?? "").contains("STOPPED") })
        try await worker.delete(source)
        try await worker.delete(sink)
    }

    @Test func aStoppedSinkAlteredBackToZeroWritesItsTopicAgain() async throws {
        try await TestStack.shared.up()
        let worker = TestStack.shared.client("beta")
        let live = try LiveCatalog(teamYAML: { _ in "members: [alice]\n" })
        let topic = "\(live.team)-alter"
        try "a\nb\n".write(to: live.data.appendingPathComponent("feed.in"), atomically: true, encoding: .utf8)
        try live.fileSource("feed", topic: topic, cluster: "beta")
        try live.fileSink("out", topic: topic, cluster: "beta")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let sink = "\(live.team)_out", output = live.data.appendingPathComponent("out.out")
        @Sendable func written() -> [String] { ((try? String(contentsOf: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }  // not written yet: nothing
        try await eventually(timeout: .seconds(120), "the sink to write both lines") { written().count >= 2 ? true : nil }

        let dependencies = try await ServerDependencies.live(live.folder.root, users: Self.users)
        let audit = dependencies.audit
        let app = Application(router: buildRouter(dependencies))
        let path = "/api/v1/clusters/beta/connectors/\(sink)"
        try await app.test(.router) { client in
            let alice = try await client.signIn("alice")
            try await eventually(timeout: .seconds(60), "the sink to commit") { try await worker.readOffsets(of: sink).offsets.isEmpty ? nil : true }
            #expect(try await client.send("\(path)/actions/stop", cookie: alice).0 == .ok)
            try await eventually(timeout: .seconds(60), "\(sink) to stop") { try await worker.status(of: sink).connector.state == .stopped ? true : nil }
            let (bad, why) = try await client.send(.patch, "\(path)/offsets", cookie: alice, json: #"{"offsets": "zero"}"#)
            #expect(bad == .badRequest && why.contains("one key"), "\(why)")
            // Every partition back to 0 (the records may sit on any partition of the topic).
            let current = try await worker.readOffsets(of: sink)
            let zero = ConnectorOffsets(offsets: current.offsets.map { .init(partition: $0.partition, offset: ["kafka_offset": .number(0)]) })
            let (altered, answer) = try await client.send(.patch, "\(path)/offsets", cookie: alice, json: zero.json)
            #expect(altered == .ok, "\(answer)")
            #expect(answer.contains(#""after""#) && answer.contains(#""kafka_offset":0"#), "\(answer)")
            #expect(try await client.send("\(path)/actions/resume", cookie: alice).0 == .ok)
            try await eventually(timeout: .seconds(120), "the sink to write the topic again") { written().count >= 4 ? true : nil }
        }
        #expect(Array(written().prefix(4)) == ["a", "b", "a", "b"])
        let row = try #require(try await audit.recent().first { $0.action == "alter-offsets" })
        #expect(row.outcome == .succeeded && row.offsetsAfter?.contains(#""kafka_offset":0"#) == true && row.offsetsBefore?.contains("kafka_offset") == true && row.offsetsBefore != row.offsetsAfter, "\(row)")
        try await worker.delete(sink)
        try await worker.delete("\(live.team)_feed")
    }
}
