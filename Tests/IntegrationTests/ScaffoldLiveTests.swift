import Foundation
import StackTesting
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
}
