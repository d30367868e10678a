import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import ServerTesting
import StackTesting
import SwitchboardWeb
import TestSupport
import Testing

/// `switchboard new connector` against the real workers: the file comes from the worker's own
/// definitions, and `validate --server` accepts it once its placeholders are filled.
@Suite("Connectors scaffolded from the cluster", .tags(.realStack))
struct ScaffoldLiveTests {
    /// `switchboard new connector --catalog <root> ...`.
    static func new(_ live: LiveCatalog, _ arguments: String...) async throws -> CLI.Result {
        try await new(live, arguments)
    }

    static func new(_ live: LiveCatalog, _ arguments: [String]) async throws -> CLI.Result {
        try await CLI.run(["new", "connector", "--catalog", live.root] + arguments, environment: live.environment)
    }

    @Test func fileStreamAndDebeziumFilesPassTheServersValidationOnceFilled() async throws {
        let stack = try await TestStack.shared.up()
        let postgres = try #require(stack.postgres)
        let live = try LiveCatalog()

        let sink = try await Self.new(live, "--team", live.team, "--cluster", "alpha", "--name", "orders-file",
                                      "--class", "org.apache.kafka.connect.file.FileStreamSinkConnector")
        #expect(sink.status == 0, "\(sink.stderr)")
        let sinkFile = live.folder.root.appendingPathComponent("teams/\(live.team)/connectors/orders-file.yaml")
        var sinkYAML = try String(contentsOf: sinkFile, encoding: .utf8)
        #expect(sinkYAML.contains("class: org.apache.kafka.connect.file.FileStreamSinkConnector") && sinkYAML.contains("  topics: \"CHANGE-ME\""), "\(sinkYAML)")
        #expect(sinkYAML.contains("#   errors.deadletterqueue.topic.name: \"dlq.\(live.team).orders-file\""), "the policy's default as the plan gives it: \(sinkYAML)")
        #expect(sinkYAML.contains("# Destination filename"), "the worker's own doc of `file`")
        sinkYAML = sinkYAML.replacingOccurrences(of: "\"CHANGE-ME\"", with: "\"\(live.team)-orders\"")
        try sinkYAML.write(to: sinkFile, atomically: true, encoding: .utf8)

        let cdc = try await Self.new(live, "--team", live.team, "--cluster", "alpha", "--name", "orders-cdc",
                                     "--class", "io.debezium.connector.postgresql.PostgresConnector")
        #expect(cdc.status == 0 && cdc.stdout.contains("Fill in: topic.prefix, database.hostname, database.user, database.dbname"), "\(cdc.stdout) \(cdc.stderr)")
        let cdcFile = live.folder.root.appendingPathComponent("teams/\(live.team)/connectors/orders-cdc.yaml")
        var cdcYAML = try String(contentsOf: cdcFile, encoding: .utf8)
        #expect(cdcYAML.contains("# database.password: \"${file:/etc/kafka-connect/secrets/\(live.team)/orders-cdc.properties:database.password}\""), "a secret as a reference: \(cdcYAML)")
        let secrets = live.data.appendingPathComponent("db.properties")
        try "password=postgres\n".write(to: secrets, atomically: true, encoding: .utf8)
        for (key, value) in [("topic.prefix", "cdc\(live.team.dropFirst(4))"), ("database.hostname", "127.0.0.1"), ("database.user", "postgres"), ("database.dbname", "postgres")] {
            cdcYAML = cdcYAML.replacingOccurrences(of: "  \(key): \"CHANGE-ME\"", with: "  \(key): \"\(value)\"")
        }
        cdcYAML = cdcYAML.replacingOccurrences(of: "  # database.port: \"5432\"", with: "  database.port: \"\(postgres.port)\"")
            .replacingOccurrences(of: "  # database.password: \"${file:/etc/kafka-connect/secrets/\(live.team)/orders-cdc.properties:database.password}\"",
                                  with: "  database.password: \"${file:\(secrets.path):password}\"")
        try cdcYAML.write(to: cdcFile, atomically: true, encoding: .utf8)
        let validated = try await live.run("validate", "--server")
        #expect(validated.status == 0, "\(validated.stdout) \(validated.stderr)")

        // Bad input: one clear error each, nothing written.
        let teamFolder = live.folder.root.appendingPathComponent("teams/\(live.team)/connectors")
        let before = try FileManager.default.contentsOfDirectory(atPath: teamFolder.path).sorted()
        for (arguments, words) in [
            (["--team", live.team, "--name", "x", "--class", "org.example.NoSuchConnector"], "cluster alpha has no connector plugin org.example.NoSuchConnector; it has:"),
            (["--team", live.team, "--name", "orders-file", "--class", "org.apache.kafka.connect.file.FileStreamSinkConnector"], "already has a connector orders-file"),
            (["--team", "nobody", "--name", "x", "--class", "org.apache.kafka.connect.file.FileStreamSinkConnector"], "no team nobody in the catalog"),
            (["--team", live.team, "--name", "Bad_Name", "--class", "org.apache.kafka.connect.file.FileStreamSinkConnector"], "'Bad_Name' is not a connector name"),
            (["--team", live.team, "--name", "x"], "--class is needed"),
        ] {
            let result = try await Self.new(live, ["--cluster", "alpha"] + arguments)
            #expect(result.status != 0 && result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: teamFolder.path).sorted() == before, "nothing written")

        // A class the policy does not allow on the cluster.
        let strict = try LiveCatalog(policy: "  allowedClasses: [org.apache.kafka.connect.file.FileStreamSourceConnector]")
        let refused = try await Self.new(strict, "--team", strict.team, "--cluster", "alpha", "--name", "x", "--class", "org.apache.kafka.connect.file.FileStreamSinkConnector")
        #expect(refused.status == 1 && refused.stderr.contains("the policy does not allow org.apache.kafka.connect.file.FileStreamSinkConnector on cluster alpha"), "\(refused.stderr)")
        let listed = try await Self.new(strict, "--cluster", "alpha", "--list-classes")
        #expect(listed.status == 0 && listed.stdout.contains("FileStreamSourceConnector") && !listed.stdout.contains("FileStreamSinkConnector"), "\(listed.stdout)")
    }

    /// The New connector page, its form built from the worker's own definitions: for the team's
    /// owners only, checked by Connect, downloaded as the file; it never creates a connector.
    @Test func theNewConnectorPageBuildsItsFormFromTheWorkersDefinitions() async throws {
        try await TestStack.shared.up()
        let live = try LiveCatalog(policy: "  allowedClasses: [org.apache.kafka.connect.file.FileStreamSinkConnector, org.apache.kafka.connect.file.FileStreamSourceConnector]")
        try live.fileSink("taken", topic: "\(live.team)-taken")
        let users = LocalUsers(entries: ["alice", "carol", "vic"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let dependencies = try await ServerDependencies.live(live.folder.root, users: users, details: true)
        let sinkClass = "org.apache.kafka.connect.file.FileStreamSinkConnector"
        let before = try await TestStack.shared.client("alpha").connectors().keys.sorted()
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice"), carol = try await client.signIn("carol"), vic = try await client.signIn("vic")
            let (chooser, start) = try await client.page("/new-connector", cookie: alice)
            #expect(chooser == .ok && start.contains("<option selected>\(live.team)</option>") && !start.contains("<option>\(live.otherTeam)</option>"), "her own teams only")
            #expect(start.contains(sinkClass) && !start.contains("PostgresConnector"), "classes the cluster has and the policy allows: \(start)")

            let base = "/new-connector?team=\(live.team)&cluster=alpha&class=\(sinkClass)&name=orders-file"
            let (status, form) = try await client.page(base, cookie: alice)
            #expect(status == .ok && form.contains("<code>topics</code>") && form.contains("List of topics to consume"), "the worker's own doc: \(form.suffix(3000))")
            #expect(form.contains("topics: &quot;CHANGE-ME&quot;"), "the file, with the placeholder")
            let (checked, rejected) = try await client.page(base + "&check=1", cookie: alice)
            #expect(checked == .ok && rejected.contains("1 key(s) to fix: topics") && rejected.contains("still CHANGE-ME"), "a placeholder left: \(rejected.suffix(2000))")
            let (_, accepted) = try await client.page(base + "&check=1&key.topics=\(live.team)-orders", cookie: alice)
            #expect(accepted.contains("Connect accepts this config"), "\(accepted.suffix(2000))")
            try await client.execute(uri: base + "&download=1&key.topics=\(live.team)-orders", method: .get, headers: [.cookie: alice]) { response in
                #expect(response.status == .ok && response.headers[.contentDisposition] == "attachment; filename=\"orders-file.yaml\"")
                let yaml = String(buffer: response.body)
                #expect(yaml.contains("name: orders-file\ncluster: alpha\nclass: \(sinkClass)\n") && yaml.contains("  topics: \"\(live.team)-orders\""), "\(yaml)")
            }

            // Bad input: one clear error each.
            for (cookie, uri, expected, words) in [
                (carol, base, HTTPResponse.Status.forbidden, "carol is not an owner of team \(live.team)"),
                (vic, "/new-connector", .forbidden, "vic owns no team"),
                (alice, "/new-connector?team=\(live.team)&cluster=alpha&class=io.debezium.connector.postgresql.PostgresConnector&name=x", .badRequest, "the policy does not allow"),
                (alice, "/new-connector?team=\(live.team)&cluster=alpha&class=org.example.Nope&name=x", .badRequest, "the policy does not allow org.example.Nope"),
                (alice, "/new-connector?team=\(live.team)&cluster=alpha&class=\(sinkClass)&name=taken", .badRequest, "already has a connector taken"),
                (alice, "/new-connector?team=\(live.team)&cluster=mars&class=\(sinkClass)&name=x", .badRequest, "no cluster mars"),
            ] {
                let (answer, page) = try await client.page(uri, cookie: cookie)
                #expect(answer == expected && page.contains(words), "\(uri): \(answer) \(page.suffix(1500))")
            }
        }
        #expect(try await TestStack.shared.client("alpha").connectors().keys.sorted() == before, "the page creates nothing")
    }
}
