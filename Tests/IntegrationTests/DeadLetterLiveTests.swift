import Foundation
import Hummingbird
import HummingbirdTesting
import LocalStack
import ServerTesting
import StackTesting
import SwitchboardAPI
import SwitchboardWeb
import TestSupport
import Testing

/// Dead letters reach their owner, with real parts: a sink on the real worker that cannot convert
/// its records sends them to its dead-letter topic on the real broker; Switchboard counts them,
/// Prometheus (Debian) sees the count rise and Alertmanager pages the owning team only; the
/// page, the API and the CLI show the errors from Connect's headers to readers, the count only
/// to viewers.
@Suite("Dead letters reach their owner", .tags(.realStack), .serialized)
struct DeadLetterLiveTests {
    static let planted = "dlq-planted-Secret-93"

    @Test func aSinkThatCannotConvertItsRecordsFillsItsDeadLettersAndPagesItsOwner() async throws {
        let stack = try await TestStack.shared.up()
        let tools = try await Prerequisites(cache: stack.configuration.cache, progress: { print("[dead letters] \($0)") }).ensureMonitoring()
        let hooks = try await WebhookReceivers.start()
        defer { hooks.stop() }
        // carol, of the other team, is a viewer of this team's sink.
        let live = try LiveCatalog(policy: "access:\n  signedIn: viewer\nalerting:\n  for: 5s\n  groupWait: 1s\n  groupInterval: 1s\n  repeatInterval: 1h\n",
                                   teamYAML: { team in "members: [\(team.hasPrefix("pay-") ? "alice" : "carol")]\nalerts:\n  receivers:\n    - type: webhook\n      url: \(hooks.url(for: team))\n" })
        let topic = "\(live.team)-raw", sink = "\(live.team)_archive", key = "alpha/\(live.team)_archive"
        let input = live.data.appendingPathComponent("source.in")
        try Data().write(to: input)
        // The source writes each line as plain text; the sink reads with the worker's JsonConverter, which cannot parse it.
        try live.fileSource("source", topic: topic, extra: ["value.converter": "org.apache.kafka.connect.storage.StringConverter", "producer.override.batch.size": "1"])
        try live.connector("archive", className: "org.apache.kafka.connect.file.FileStreamSinkConnector",
                           config: ["topics": topic, "file": live.data.appendingPathComponent("archive.out").path, "errors.deadletterqueue.context.headers.enable": "true"])
        let applied = try await live.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.all)")

        let users = LocalUsers(entries: ["alice", "carol"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let server = try await SwitchboardServerProcess.start(catalog: live.folder.root, users: users)
        defer { server.stop() }
        let rendered = live.data.appendingPathComponent("monitoring")
        #expect(try await CLI.run(["render", "monitoring", "--catalog", live.root, "--out", rendered.path, "--switchboard-target", "127.0.0.1:\(server.port)"]).status == 0)
        let monitoring = try await MonitoringProcesses.start(tools: tools, rendered: rendered, scrape: "127.0.0.1:\(server.port)", in: live.data)
        defer { monitoring.stop() }
        let flow = server.dependencies.flow
        // None yet, and Prometheus sees that before the rise.
        try await eventually(timeout: .seconds(120), "the sink's dead letters to be read as 0") { flow.latest.deadLetters[key] == 0 ? true : nil }
        try await Task.sleep(for: .seconds(5))
        let dlq = try #require(server.dependencies.store.current.connectors[key].flatMap(DeadLetters.topic(of:)))

        let handle = try FileHandle(forWritingTo: input)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json 1 {\n{\"password\": \"\(Self.planted)\"\nnot json 3 [\n".utf8))
        try handle.close()
        let count = try await eventually(timeout: .seconds(180), "records in \(sink)'s dead-letter queue") { () -> Int64? in
            guard let records = flow.latest.deadLetters[key], records > 0 else { return nil }
            return records
        }
        let metrics = String(decoding: server.dependencies.metrics.emit(), as: UTF8.self)
        #expect(metrics.contains("switchboard_sink_dead_letter_records{cluster=\"alpha\",connector=\"\(sink)\",team=\"\(live.team)\",topic=\"\(dlq)\"} "), "the metric, with the team label")

        let firing = try await eventually(timeout: .seconds(240), "team \(live.team) to be paged about \(sink)'s dead letters") {
            await hooks.alerts(for: live.team).first { $0.status == "firing" && $0.labels["alertname"] == "SwitchboardDeadLettersGrowing" && $0.labels["connector"] == sink }
        }
        #expect(firing.labels["team"] == live.team && firing.labels["topic"] == dlq)
        #expect(await hooks.alerts(for: live.otherTeam).isEmpty, "the other team is never paged")

        try await readersSeeTheErrorsAndViewersTheCount(server.dependencies, sink: sink, topic: topic, dlq: dlq, atLeast: count)
        try await theCommandLineShowsThem(server, users: users, sink: sink, dlq: dlq)
        for name in ["\(live.team)_source", sink] { try await TestStack.shared.client("alpha").delete(name) }
    }

    func readersSeeTheErrorsAndViewersTheCount(_ dependencies: ServerDependencies, sink: String, topic: String, dlq: String, atLeast count: Int64) async throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice"), carol = try await client.signIn("carol")
            let uri = "/api/v1/clusters/alpha/connectors/\(sink)/dead-letters"
            let (status, json) = try await client.page(uri, cookie: alice)
            #expect(status == .ok, "\(json)")
            let answer = try decoder.decode(DeadLetters.self, from: Data(json.utf8))
            #expect(answer.topic == dlq && (answer.records ?? 0) >= count && answer.headersEnabled)
            let record = try #require(answer.recent?.first, "\(json)")
            #expect(record.originalTopic == topic && record.stage == "VALUE_CONVERTER" && record.exceptionClass?.hasSuffix("DataException") == true, "\(record)")
            #expect(record.originalOffset != nil && record.taskID == 0)

            let (viewerStatus, viewerJSON) = try await client.page(uri, cookie: carol)
            let seen = try decoder.decode(DeadLetters.self, from: Data(viewerJSON.utf8))
            #expect(viewerStatus == .ok && (seen.records ?? 0) >= count && seen.recent == nil && seen.recentNote?.contains("readers and above") == true, "\(viewerJSON)")

            let (_, page) = try await client.page("/clusters/alpha/connectors/\(sink)", cookie: alice)
            #expect(page.contains("<h2>Dead letters</h2>") && page.contains("VALUE_CONVERTER") && page.contains("aria-label=\"Dead letters\""), "\(page.suffix(3000))")
            let (_, viewerPage) = try await client.page("/clusters/alpha/connectors/\(sink)", cookie: carol)
            #expect(viewerPage.contains("dead-letter-count") && !viewerPage.contains("VALUE_CONVERTER"), "a viewer sees the count, not the errors")
            let (_, team) = try await client.page("/teams/\(sink.prefix { $0 != "_" })", cookie: carol)
            #expect(team.contains("class=\"dead-letters\"") && team.contains(sink), "the team dashboard lists the sink")
            for text in [json, viewerJSON, page, viewerPage] { #expect(!text.contains(Self.planted), "a record's content never shows") }

            let (missing, why) = try await client.page("/api/v1/clusters/alpha/connectors/\(sink.prefix { $0 != "_" })_source/dead-letters", cookie: alice)
            #expect(missing == .notFound && why.contains("has no dead-letter queue"), "\(why)")
        }
    }

    func theCommandLineShowsThem(_ server: SwitchboardServerProcess, users: LocalUsers, sink: String, dlq: String) async throws {
        let (token, _) = try await server.dependencies.apiTokens.create(for: try #require(users.user(named: "alice")), name: "dead letters", days: 1)
        let environment = ["SWITCHBOARD_SERVER": "http://127.0.0.1:\(server.port)", "SWITCHBOARD_TOKEN": token]
        let shown = try await CLI.run(["deadletters", "get", "alpha/\(sink)"], environment: environment)
        #expect(shown.status == 0 && shown.stdout.contains(dlq) && shown.stdout.contains("VALUE_CONVERTER") && !shown.all.contains(Self.planted), "\(shown.all)")
        let none = try await CLI.run(["deadletters", "get", "alpha/\(sink.prefix { $0 != "_" })_source"], environment: environment)
        #expect(none.status == 4 && none.stderr.contains("has no dead-letter queue"), "\(none.all)")
        let typo = try await CLI.run(["deadletters", "get", "no-slash"], environment: environment)
        #expect(typo.status == 64 && typo.stderr.contains("<cluster>/<name>"), "\(typo.all)")
    }
}
