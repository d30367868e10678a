import ConnectClient
import LocalStack
import Foundation
import StackTesting
import Testing

/// Bad input to `apply`: one clear error naming the file, connector or key, and nothing applied.
/// Every catalog here also holds a valid connector, which must not be created.
@Suite("Bad input changes nothing", .tags(.realStack))
struct BadInputTests {
    /// Writes a valid connector and `bad`, runs apply, and checks that it failed with `expected`
    /// in its error and that the valid connector was not created.
    func expectNothingApplied(_ expected: [String], absent: [String] = [], arguments: [String] = ["--auto-approve"], extraClusters: String = "", _ bad: (LiveCatalog) throws -> Void) async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog(extraClusters: extraClusters)
        try catalog.fileSink("good", topic: "\(catalog.team)-good")
        try bad(catalog)
        let result = try await CLI.run(["apply", "--catalog", catalog.root] + arguments)
        #expect(result.status == 1, "\(result.all)")
        for text in expected {
            #expect(result.stderr.contains(text), "stderr should contain \(text):\n\(result.stderr)")
        }
        for text in absent {
            #expect(!result.all.contains(text), "output must not contain \(text)")
        }
        #expect(try await TestStack.shared.client("alpha").connectors()["\(catalog.team)_good"] == nil, "nothing may be applied")
    }

    @Test func malformedYAML() async throws {
        try await expectNothingApplied(["bad.yaml:5: [yaml-syntax]", "flow sequence that starts at line 4"]) { catalog in
            try catalog.folder.write("teams/\(catalog.team)/connectors/bad.yaml", "name: bad\ncluster: alpha\nconfig:\n  topics: [x\n  file: y\n")
        }
    }

    @Test func duplicateNames() async throws {
        try await expectNothingApplied(["[duplicate-name]", "good-copy.yaml"]) { catalog in
            try catalog.folder.write("teams/\(catalog.team)/connectors/good-copy.yaml", """
                name: good
                cluster: alpha
                class: org.apache.kafka.connect.file.FileStreamSinkConnector
                config:
                  topics: x
                  file: /tmp/y
                """)
        }
    }

    @Test func unknownTeam() async throws {
        try await expectNothingApplied(["teams/nobody", "[team-prefix]", "nobody_x"]) { catalog in
            try catalog.folder.write("teams/nobody/connectors/x.yaml", "name: x\ncluster: alpha\nclass: org.apache.kafka.connect.file.FileStreamSinkConnector\nconfig:\n  topics: t\n")
        }
    }

    @Test func unknownCluster() async throws {
        try await expectNothingApplied(["[unknown-cluster]", "'mars'"]) { catalog in
            try catalog.fileSink("lost", topic: "t", cluster: "mars")
        }
    }

    @Test func literalSecret() async throws {
        try await expectNothingApplied(["[secret-literal]", "'database.password' holds a literal value"], absent: ["hunter2-not-for-logs"]) { catalog in
            try catalog.connector("leaky", className: "org.apache.kafka.connect.file.FileStreamSinkConnector",
                                  config: ["topics": "t", "database.password": "hunter2-not-for-logs"])
        }
    }

    @Test func missingClass() async throws {
        try await expectNothingApplied(["classless.yaml:1: [missing-class]"]) { catalog in
            try catalog.folder.write("teams/\(catalog.team)/connectors/classless.yaml", "name: classless\ncluster: alpha\nconfig:\n  topics: t\n")
        }
    }

    @Test func unreachableCluster() async throws {
        let down = "  - name: down\n    url: http://127.0.0.1:\(PortProbe.ephemeral())"
        try await expectNothingApplied(["Cluster down:", "unreachable", "nothing was applied"], extraClusters: down) { catalog in
            try catalog.fileSink("far", topic: "t", cluster: "down")
        }
    }

    @Test func noConfirmationWithoutATerminal() async throws {
        try await expectNothingApplied(["pass --auto-approve"], arguments: []) { _ in }
    }
}
