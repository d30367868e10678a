import ConnectClient
import Foundation
import LocalStack
import StackTesting
import TestSupport
import Testing

/// Bad input, as a new, careless or hostile user would give it, in every family: files and
/// folders, YAML, schema, policy, switchboard.yaml, plugins.yaml, network, apply time. Each case
/// asserts: a non-zero exit; one clear message naming the file, connector or key; nothing
/// applied (both clusters read before and after); no secret in stdout or stderr (which holds the
/// debug log); and an end within the command's deadline.
///
/// Every catalog also holds a valid connector, which must not be created; in the families where
/// a mistake would once have deleted something, that connector runs already and must survive.
@Suite("Bad input changes nothing", .tags(.realStack), .serialized)
struct BadInputTests {
    static let planted = "Planted-\(UInt32.random(in: 0...UInt32.max))-pw"
    static let secret = "Hunter2-\(UInt32.random(in: 0...UInt32.max))-s3cr3t"

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        /// Texts stderr must hold (the file, connector or key, and the rule).
        var expected: [String]
        /// Secrets this case puts somewhere in its input (besides the planted one).
        var secrets: [String] = []
        /// The command after `--catalog DIR` (network cases add `--timeout 3`; against the real
        /// clusters the default stays: Connect answers /health only once a rebalance is over).
        var arguments: [String] = ["apply", "--auto-approve"]
        /// Whether the valid connector is applied (and running, stopped) before the bad change.
        var preApplied = false
        /// How long the command may take: a catalog problem ends it before any network wait; a
        /// case that asks the real clusters waits on them (the tests' deadline is 90 s).
        var deadline: Duration = .seconds(40)
        var setup: @Sendable (LiveCatalog) async throws -> Void
        var description: String { name }
    }

    func run(_ item: Case) async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog(policy: "  secretProviders: [file, env]", plantedSecret: Self.planted)
        try catalog.fileSink("good", topic: "\(catalog.team)-good", cluster: "beta", state: "stopped")
        if item.preApplied {
            let applied = try await catalog.run("apply", "--auto-approve")
            try #require(applied.status == 0, "\(applied.all)")
        }
        try await item.setup(catalog)
        let before = try await catalog.managedState()
        let started = ContinuousClock.now
        let result = try await catalog.run(item.arguments)
        let took = ContinuousClock.now - started
        #expect(result.status != 0, "\(item.name) exited 0:\n\(result.all)")
        for text in item.expected {
            #expect(result.stderr.contains(text), "\(item.name): stderr lacks '\(text)':\n\(result.stderr)")
        }
        #expect(result.stderr.contains("nothing was applied") || result.stderr.contains("Nothing was applied") || result.stderr.contains("Nothing was changed"),
                "\(item.name): the error says nothing was applied:\n\(result.stderr)")
        for secret in [Self.planted] + item.secrets {
            #expect(!result.all.contains(secret), "\(item.name) printed a secret:\n\(result.all)")
        }
        #expect(try await catalog.managedState() == before, "\(item.name): the clusters changed")
        #expect(took < item.deadline, "\(item.name) took \(took)")
        if item.preApplied {
            #expect(before.keys.contains("beta/\(catalog.team)_good"), "the running connector survives")
        }
    }

    // MARK: families

    static func connectors(_ c: LiveCatalog) -> String { "teams/\(c.team)/connectors" }
    static func url(_ c: LiveCatalog, _ path: String) -> URL { c.folder.root.appendingPathComponent(path) }
    static func move(_ c: LiveCatalog, _ from: String, _ to: String) throws {
        try FileManager.default.createDirectory(at: url(c, to).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: url(c, from), to: url(c, to))
    }
    static func link(_ c: LiveCatalog, _ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(c, path).path, withDestinationPath: target)
    }
    static func replaceGood(_ c: LiveCatalog, _ body: (URL) throws -> Void) throws {
        let file = url(c, "\(connectors(c))/good.yaml")
        try FileManager.default.removeItem(at: file)
        try body(file)
    }
    static func sink(_ name: String, _ c: LiveCatalog, _ extra: String = "", config: String = "") -> String {
        "name: \(name)\ncluster: alpha\nclass: org.apache.kafka.connect.file.FileStreamSinkConnector\n\(extra)\nconfig:\n  topics: \(c.team)-\(name)\n  file: \(c.data.path)/\(name).out\n\(config)"
    }
    static func bad(_ c: LiveCatalog, _ text: String, file: String = "bad.yaml") throws {
        try c.folder.write("\(connectors(c))/\(file)", text)
    }

    static let files: [Case] = [
        Case(name: "upper-case .YAML", expected: ["good.YAML", "[unknown-entry]"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "\(connectors($0))/good.YAML") },
        Case(name: "mixed-case .Yml", expected: ["good.Yml", "[unknown-entry]"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "\(connectors($0))/good.Yml") },
        Case(name: "backup copy only", expected: ["good.yaml.bak", "[unknown-entry]"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "\(connectors($0))/good.yaml.bak") },
        Case(name: "extension dropped", expected: ["connectors/good ", "[unknown-entry]"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "\(connectors($0))/good") },
        Case(name: "hidden file", expected: [".good.yaml", "[unknown-entry]"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "\(connectors($0))/.good.yaml") },
        Case(name: "broken symlink", expected: ["good.yaml", "leads nowhere"], preApplied: true) { c in try replaceGood(c) { try link(c, "\(connectors(c))/good.yaml", to: $0.deletingLastPathComponent().appendingPathComponent("gone.yaml").path) } },
        Case(name: "symlink loop", expected: ["good.yaml", "leads nowhere"], preApplied: true) { c in
            try replaceGood(c) { _ in try link(c, "\(connectors(c))/good.yaml", to: "loop.yaml"); try link(c, "\(connectors(c))/loop.yaml", to: "good.yaml") }
        },
        Case(name: "symlink to a file outside the catalog", expected: ["good.yaml", "outside the catalog"], secrets: [secret], preApplied: true) { c in
            let outside = c.data.appendingPathComponent("outside.yaml")
            try "name: good\n\(secret): unknown key\n".write(to: outside, atomically: true, encoding: .utf8)
            try replaceGood(c) { _ in try link(c, "\(connectors(c))/good.yaml", to: outside.path) }
        },
        Case(name: "a folder named good.yaml", expected: ["good.yaml", "named like a connector file"], preApplied: true) { c in
            try replaceGood(c) { try FileManager.default.createDirectory(at: $0, withIntermediateDirectories: true) }
        },
        Case(name: "connectors misspelt", expected: ["conectors", "Rename it to connectors/"], preApplied: true) { try move($0, connectors($0), "teams/\($0.team)/conectors") },
        Case(name: "connectors is a file", expected: ["connectors", "must be a folder"], preApplied: true) { c in
            try FileManager.default.removeItem(at: url(c, connectors(c)))
            try c.folder.write(connectors(c), "good")
        },
        Case(name: "connectors links outside", expected: ["connectors", "outside the catalog"], preApplied: true) { c in
            let outside = c.data.appendingPathComponent("elsewhere")
            try FileManager.default.moveItem(at: url(c, connectors(c)), to: outside)
            try link(c, connectors(c), to: outside.path)
        },
        Case(name: "a fifo where the file was", expected: ["good.yaml", "fifo"], preApplied: true) { c in try replaceGood(c) { #expect(mkfifo($0.path, 0o644) == 0) } },
        Case(name: "a 2 MB file", expected: ["good.yaml", "larger than 1 MiB"], preApplied: true) { c in try replaceGood(c) { try Data(repeating: 0x23, count: 2 << 20).write(to: $0) } },
        Case(name: "not UTF-8", expected: ["good.yaml", "not UTF-8"], preApplied: true) { c in try replaceGood(c) { try Data([0x6e, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: $0) } },
        Case(name: "team.yml", expected: ["team.yml", "Rename it to team.yaml"], preApplied: true) { try move($0, "teams/\($0.team)/team.yaml", "teams/\($0.team)/team.yml") },
        Case(name: "team.yaml is a folder", expected: ["team.yaml", "is a folder"], preApplied: true) { c in
            try FileManager.default.removeItem(at: url(c, "teams/\(c.team)/team.yaml"))
            try FileManager.default.createDirectory(at: url(c, "teams/\(c.team)/team.yaml"), withIntermediateDirectories: true)
        },
        Case(name: "connector moved to the team folder", expected: ["teams/", "good.yaml", "not part of a team folder"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "teams/\($0.team)/good.yaml") },
        Case(name: "a stray file in teams/", expected: ["teams/stray.yaml", "[unknown-entry]"]) { try $0.folder.write("teams/stray.yaml", "name: x\n") },
        Case(name: "Teams with a capital", expected: ["Teams", "Rename it to teams/"]) { try $0.folder.write("Teams/x/team.yaml", "members: [x]\n") },
        Case(name: "switchboard.yml beside switchboard.yaml", expected: ["switchboard.yml", "[unknown-entry]"]) { try $0.folder.write("switchboard.yml", "clusters: []\n") },
        Case(name: "a hidden team folder", expected: ["teams/.attic", "[unknown-entry]"]) { try $0.folder.write("teams/.attic/team.yaml", "members: [x]\n") },
        Case(name: "a sub-folder of connectors", expected: ["connectors/old", "[unknown-entry]"], preApplied: true) { try move($0, "\(connectors($0))/good.yaml", "\(connectors($0))/old/good.yaml") },
    ]

    static let yaml: [Case] = [
        Case(name: "unclosed flow sequence", expected: ["bad.yaml:5: [yaml-syntax]", "starts at line 4"]) { try bad($0, "name: bad\ncluster: alpha\nconfig:\n  topics: [x\n  file: y\n") },
        Case(name: "tab indentation", expected: ["bad.yaml", "[yaml-syntax]"]) { try bad($0, "name: bad\nconfig:\n\ttopics: x\n") },
        Case(name: "duplicate key", expected: ["bad.yaml", "duplicate key 'name'"]) { try bad($0, sink("bad", $0) + "name: again\n") },
        Case(name: "a list at the top", expected: ["bad.yaml", "top level must be a mapping"]) { try bad($0, "- name: bad\n") },
        Case(name: "an empty file", expected: ["bad.yaml", "The file is empty"]) { try bad($0, "") },
        Case(name: "only a comment", expected: ["bad.yaml", "The file is empty"]) { try bad($0, "# name: bad\n") },
        Case(name: "plain text", expected: ["bad.yaml", "top level must be a mapping"]) { try bad($0, "just some text\n") },
        Case(name: "unterminated quote", expected: ["bad.yaml", "[yaml-syntax]"]) { try bad($0, "name: \"bad\ncluster: alpha\n") },
        Case(name: "two documents", expected: ["bad.yaml", "[yaml-syntax]"]) { try bad($0, sink("bad", $0) + "---\nname: other\n") },
        Case(name: "config indented wrongly", expected: ["bad.yaml", "[yaml-syntax]"]) { try bad($0, "name: bad\ncluster: alpha\nconfig:\n  topics: x\n   file: y\n") },
        Case(name: "an alias bomb", expected: ["bad.yaml"]) { c in
            var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
            for index in 1..<9 { lines.append("a\(index): &a\(index) [" + Array(repeating: "*a\(index - 1)", count: 9).joined(separator: ", ") + "]") }
            try bad(c, lines.joined(separator: "\n") + "\nname: bad\ncluster: alpha\nclass: x\nconfig:\n  topics: *a8\n")
        },
        Case(name: "control characters", expected: ["bad.yaml", "[yaml-syntax]"]) { try bad($0, "name: bad\u{0}\u{7}\ncluster: alpha\n") },
    ]

    static let schema: [Case] = [
        Case(name: "misspelt key", expected: ["bad.yaml", "Unknown key 'clas'", "Did you mean 'class'"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "class:", with: "clas:")) },
        Case(name: "no name", expected: ["bad.yaml", "has no 'name'"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "name: bad\n", with: "")) },
        Case(name: "no cluster", expected: ["bad.yaml", "has no 'cluster'"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "cluster: alpha\n", with: "")) },
        Case(name: "tasks not a number", expected: ["bad.yaml", "'tasks'", "whole number"]) { try bad($0, sink("bad", $0, "tasks: many")) },
        Case(name: "tasks zero", expected: ["bad.yaml", "'tasks'"]) { try bad($0, sink("bad", $0, "tasks: 0")) },
        Case(name: "tasks huge", expected: ["bad.yaml", "'tasks'"]) { try bad($0, sink("bad", $0, "tasks: 100000")) },
        Case(name: "state unknown", expected: ["bad.yaml", "'state' must be running, paused or stopped"]) { try bad($0, sink("bad", $0, "state: started")) },
        Case(name: "config a list", expected: ["bad.yaml", "'config'", "mapping"]) { c in try bad(c, "name: bad\ncluster: alpha\nclass: x\nconfig:\n  - topics\n") },
        Case(name: "a config value that is a mapping", expected: ["bad.yaml", "'config.batch'", "single value"]) { try bad($0, sink("bad", $0, config: "  batch:\n    size: 3\n")) },
        Case(name: "a config key that is a list", expected: ["bad.yaml", "A key of 'config' is a list"]) { try bad($0, sink("bad", $0, config: "  [batch, size]: 3\n")) },
        Case(name: "a top-level key that is a mapping", expected: ["bad.yaml", "is a mapping, not a name"]) { try bad($0, sink("bad", $0) + "? {a: 1}\n: x\n") },
        Case(name: "a description that is a mapping", expected: ["bad.yaml", "'description' of the connector must be a single value"]) { try bad($0, sink("bad", $0, "description: {owner: me}")) },
        Case(name: "a description that is a list", expected: ["bad.yaml", "'description' of the connector must be a single value"]) { try bad($0, sink("bad", $0, "description: [a, b]")) },
        Case(name: "a team.yaml that is not YAML is the one problem", expected: ["team.yaml", "[yaml-syntax]", "1 problem found"]) {
            try $0.folder.write("teams/\($0.team)/team.yaml", "members: [alice\n")
        },
        Case(name: "a config value that is null", expected: ["bad.yaml", "'config.batch.size' has no value"]) { try bad($0, sink("bad", $0, config: "  batch.size:\n")) },
        Case(name: "name is a list", expected: ["bad.yaml", "'name'", "single value"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "name: bad", with: "name: [a, b]")) },
        Case(name: "protect is not a boolean", expected: ["bad.yaml", "'protect'", "true or false"]) { try bad($0, sink("bad", $0, "protect: maybe")) },
        Case(name: "empty name", expected: ["bad.yaml", "[connector-name]"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "name: bad", with: "name: \"\"")) },
        Case(name: "team.yaml unknown key", expected: ["team.yaml", "Unknown key 'member'"]) { try $0.folder.write("teams/\($0.team)/team.yaml", "member: [alice]\n") },
        Case(name: "team.yaml names another team", expected: ["team.yaml", "but its folder is"]) { try $0.folder.write("teams/\($0.team)/team.yaml", "name: someone-else\n") },
        Case(name: "alert receiver of an unknown type", expected: ["team.yaml", "Unknown alert receiver type 'pager'"]) { try $0.folder.write("teams/\($0.team)/team.yaml", "alerts:\n  receivers:\n    - type: pager\n") },
        Case(name: "reviewers that are no code owners", expected: ["team.yaml", "'payments team' in reviewers is not a code owner"]) { try $0.folder.write("teams/\($0.team)/team.yaml", "members: [alice]\nreviewers: [payments team]\n") },
        Case(name: "cluster and clusters both", expected: ["bad.yaml", "both `cluster:` and `clusters:`"]) { c in try bad(c, sink("bad", c) + "clusters: [beta]\n") },
        Case(name: "a per-cluster override of an unknown key", expected: ["bad.yaml", "Unknown key 'class'", "settings of connector 'bad' on cluster 'beta'"]) { c in
            try bad(c, sink("bad", c).replacingOccurrences(of: "cluster: alpha\n", with: "") + "clusters:\n  alpha: {}\n  beta:\n    class: org.example.Other\n")
        },
        Case(name: "a per-cluster override naming an unknown cluster", expected: ["bad.yaml", "gamma"]) { c in
            try bad(c, sink("bad", c).replacingOccurrences(of: "cluster: alpha\n", with: "") + "clusters:\n  alpha: {}\n  gamma:\n    tasks: 2\n")
        },
    ]

    static let policy: [Case] = [
        Case(name: "a literal password", expected: ["bad.yaml", "'database.password' holds a literal value"], secrets: [secret]) { try bad($0, sink("bad", $0, config: "  database.password: \(secret)\n")) },
        Case(name: "a JDBC URL with user:password@", expected: ["bad.yaml", "'connection.url' holds a credential"], secrets: [secret]) { try bad($0, sink("bad", $0, config: "  connection.url: jdbc:postgresql://app:\(secret)@db:5432/x\n")) },
        Case(name: "a JDBC URL with ?password=", expected: ["bad.yaml", "'connection.url' holds a credential"], secrets: [secret]) { try bad($0, sink("bad", $0, config: "  connection.url: \"jdbc:postgresql://db/x?user=app&password=\(secret)\"\n")) },
        Case(name: "a SQL Server URL with ;password=", expected: ["bad.yaml", "'connection.url' holds a credential"], secrets: [secret]) { try bad($0, sink("bad", $0, config: "  connection.url: \"jdbc:sqlserver://db:1433;user=app;password=\(secret)\"\n")) },
        Case(name: "a literal JAAS config", expected: ["bad.yaml", "'consumer.override.sasl.jaas.config' holds a literal value"], secrets: [secret]) {
            try bad($0, sink("bad", $0, config: "  consumer.override.sasl.jaas.config: \"org.apache.kafka.common.security.plain.PlainLoginModule required username='a' password='\(secret)';\"\n"))
        },
        Case(name: "a token in a URL parameter", expected: ["bad.yaml", "'http.url' holds a credential"], secrets: [secret]) { try bad($0, sink("bad", $0, config: "  http.url: \"https://api.example.com/x?access_token=\(secret)\"\n")) },
        Case(name: "a provider the platform does not allow", expected: ["bad.yaml", "config provider 'vault'"]) { try bad($0, sink("bad", $0, config: "  database.password: ${vault:secret/x:pw}\n")) },
        Case(name: "reserved key connector.class", expected: ["bad.yaml", "[reserved-key]", "'connector.class'"]) { try bad($0, sink("bad", $0, config: "  connector.class: x\n")) },
        Case(name: "reserved key tasks.max", expected: ["bad.yaml", "[reserved-key]", "'tasks.max'"]) { try bad($0, sink("bad", $0, config: "  tasks.max: \"2\"\n")) },
        Case(name: "reserved key name", expected: ["bad.yaml", "[reserved-key]", "'name'"]) { try bad($0, sink("bad", $0, config: "  name: other\n")) },
        Case(name: "reserved key switchboard.protect", expected: ["bad.yaml", "[reserved-key]", "'switchboard.protect'"]) { try bad($0, sink("bad", $0, config: "  switchboard.protect: \"true\"\n")) },
        Case(name: "a name whose dead-letter topic is too long", expected: ["bad.yaml", "[topic-name]", "errors.deadletterqueue.topic.name", "Shorten the connector's name"]) { c in
            // The policy's default dlq.{team}.{name} makes a topic past Kafka's 249 characters.
            let name = String(repeating: "x", count: 240)
            try bad(c, sink(name, c).replacingOccurrences(of: "topics: \(c.team)-\(name)", with: "topics: \(c.team)-long"))
        },
        Case(name: "a topic with a space", expected: ["bad.yaml", "[topic-name]", "'topics' names topic 'my orders'", "which Kafka forbids"]) { c in
            try bad(c, sink("bad", c).replacingOccurrences(of: "topics: \(c.team)-bad", with: "topics: \"a,my orders\""))
        },
        Case(name: "tasks above the ceiling", expected: ["bad.yaml", "[tasks-ceiling]"]) { try bad($0, sink("bad", $0, "tasks: 5")) },
        Case(name: "an unknown cluster", expected: ["bad.yaml", "[unknown-cluster]", "'mars'"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "cluster: alpha", with: "cluster: mars")) },
        Case(name: "a folder without team.yaml", expected: ["teams/nobody", "[team-prefix]", "nobody_x"]) { try $0.folder.write("teams/nobody/connectors/x.yaml", sink("x", $0)) },
        Case(name: "another team's prefix", expected: ["bad.yaml", "[team-prefix]"]) { c in try bad(c, sink("bad", c).replacingOccurrences(of: "name: bad", with: "name: \(c.otherTeam)_bad")) },
        Case(name: "a duplicate name", expected: ["good-copy.yaml", "[duplicate-name]"]) { c in try bad(c, sink("good", c).replacingOccurrences(of: "cluster: alpha", with: "cluster: beta"), file: "good-copy.yaml") },
        Case(name: "a team name with capitals", expected: ["Bad_Team", "[team-name]"]) { try $0.folder.write("teams/Bad_Team/team.yaml", "members: [x]\n") },
        Case(name: "a class the cluster does not allow", expected: ["bad.yaml", "[class-not-allowed]"]) { c in
            let platform = try String(contentsOf: url(c, "switchboard.yaml"), encoding: .utf8)
            try c.folder.write("switchboard.yaml", platform + "\n  allowedClasses: [org.apache.kafka.connect.file.FileStreamSourceConnector]\n")
            try bad(c, sink("bad", c))
        },
    ]

    /// Cases that rewrite switchboard.yaml: `edit` gets the current text.
    static var betaURL: String { TestStack.shared.stack.configuration.workerURLs(of: "beta")[0].absoluteString }

    static func platform(_ name: String, _ expected: [String], secrets: [String] = [], _ edit: @escaping @Sendable (String, LiveCatalog) -> String) -> Case {
        Case(name: name, expected: expected, secrets: secrets) { c in
            let text = try String(contentsOf: url(c, "switchboard.yaml"), encoding: .utf8)
            try c.folder.write("switchboard.yaml", edit(text, c))
        }
    }

    static let platformFile: [Case] = [
        Case(name: "no switchboard.yaml", expected: ["The catalog has no switchboard.yaml"]) { try $0.folder.remove("switchboard.yaml") },
        platform("switchboard.yaml not YAML", ["switchboard.yaml", "[yaml-syntax]", "1 problem found"]) { text, _ in text + "\n  - [\n" },
        platform("a cluster URL that is not http", ["switchboard.yaml", "is not an http(s) URL"]) { text, _ in text.replacingOccurrences(of: "url: \(betaURL)", with: "url: \(betaURL.replacingOccurrences(of: "http:", with: "ftp:"))") },
        platform("a cluster URL with user:password@", ["switchboard.yaml", "holds credentials"], secrets: [secret]) { text, _ in text.replacingOccurrences(of: "url: \(betaURL)", with: "url: \(betaURL.replacingOccurrences(of: "http://", with: "http://admin:\(secret)@"))") },
        platform("a cluster URL with ?password=", ["switchboard.yaml", "holds credentials"], secrets: [secret]) { text, _ in text.replacingOccurrences(of: "url: \(betaURL)", with: "url: \"\(betaURL)/?password=\(secret)\"") },
        platform("a duplicate cluster", ["Cluster 'beta' is defined twice"]) { text, _ in text.replacingOccurrences(of: "policy:", with: "  - name: beta\n    url: http://127.0.0.1:1\npolicy:") },
        platform("two names for one Connect cluster", ["[same-cluster]", "'beta'", "'beta-again'"]) { text, _ in text.replacingOccurrences(of: "policy:", with: "  - name: beta-again\n    url: \(betaURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"))/\npolicy:") },
        platform("clusters not a list", ["'clusters'", "must be a list"]) { _, _ in "clusters: alpha\n" },
        platform("a misspelt top-level key", ["Unknown key 'cluster'"]) { text, _ in text.replacingOccurrences(of: "clusters:", with: "cluster:") },
        platform("an invalid secretKeyPattern", ["secretKeyPattern is not a valid regular expression"]) { text, _ in text + "\n  secretKeyPattern: \"(unclosed\"\n" },
        platform("negative maxTasks", ["'maxTasks'"]) { text, _ in text.replacingOccurrences(of: "maxTasks: 4", with: "maxTasks: -3") },
        platform("maxDeletesPerApply not a number", ["'maxDeletesPerApply'"]) { text, _ in text + "\n  maxDeletesPerApply: many\n" },
        platform("admins a plain string", ["'admins'", "mapping"]) { text, _ in text + "\nadmins: everyone\n" },
        platform("everyone an owner", ["switchboard.yaml", "access.signedIn", "'owner'"]) { text, _ in text + "\naccess:\n  signedIn: owner\n" },
        platform("a cluster loosening access", ["switchboard.yaml", "cluster 'beta'", "only lower"]) { text, _ in
            text.replacingOccurrences(of: "  - name: beta\n", with: "  - name: beta\n    access:\n      signedIn: operator\n") + "\naccess:\n  signedIn: viewer\n"
        },
        platform("an auto-restart unit that is no duration", ["switchboard.yaml", "autoRestart.unit", "'soon'"]) { text, _ in text + "\nautoRestart:\n  enabled: true\n  unit: soon\n" },
        platform("a GitOps mode that does not exist", ["switchboard.yaml", "gitops.mode of cluster 'beta' must be auto or manual", "'sometimes'"]) { text, _ in
            text.replacingOccurrences(of: "  - name: beta\n", with: "  - name: beta\n    gitops:\n      mode: sometimes\n")
        },
        platform("an environment not in environments", ["switchboard.yaml", "Cluster 'beta' is in environment 'prod'"]) { text, _ in
            text.replacingOccurrences(of: "  - name: beta\n", with: "  - name: beta\n    environment: prod\n") + "\nenvironments: [staging]\n"
        },
        platform("promotion required without environments", ["switchboard.yaml", "requirePromotion needs at least two"]) { text, _ in text + "\n  requirePromotion: true\n" },
        platform("kafka without bootstrapServers", ["has no 'bootstrapServers'"]) { text, _ in
            text.replacingOccurrences(of: "      bootstrapServers: \(TestStack.shared.stack.configuration.bootstrapServers)\n  - name: beta", with: "      securityProtocol: PLAINTEXT\n  - name: beta")
        },
        platform("a cluster password in the catalog", ["The cluster's password is written in the catalog"], secrets: [secret]) { text, _ in
            text.replacingOccurrences(of: "passwordEnv: \(LiveCatalog.plantedVariable)", with: "passwordEnv: \(LiveCatalog.plantedVariable)\n        password: \(secret)")
        },
        platform("a password variable that is not set", ["Cluster alpha", "$SB_UNSET_VARIABLE, which is not set"]) { text, _ in text.replacingOccurrences(of: "passwordEnv: \(LiveCatalog.plantedVariable)", with: "passwordEnv: SB_UNSET_VARIABLE") },
        platform("a password file that cannot be read", ["Cluster alpha", "password file /nonexistent/pw cannot be read"]) { text, _ in text.replacingOccurrences(of: "passwordEnv: \(LiveCatalog.plantedVariable)", with: "passwordFile: /nonexistent/pw") },
    ]

    static func plugins(_ name: String, _ expected: [String], secrets: [String] = [], _ text: @escaping @Sendable (LiveCatalog) -> String) -> Case {
        Case(name: name, expected: expected, secrets: secrets) { try $0.folder.write("plugins.yaml", text($0)) }
    }

    static let goodArtifact = "  - name: debezium\n    version: 3.0.7\n    type: zip\n    source: x.zip\n    sha256: \(String(repeating: "a", count: 64))\n    classes: [io.debezium.connector.postgresql.PostgresConnector]\n"
    static let builtins = "builtinClasses: [org.apache.kafka.connect.file.FileStreamSinkConnector, org.apache.kafka.connect.file.FileStreamSourceConnector]\n"

    static let pluginManifest: [Case] = [
        plugins("an unsupported artifact type", ["plugins.yaml", "Artifact type 'rar'"]) { _ in builtins + "artifacts:\n" + goodArtifact.replacingOccurrences(of: "type: zip", with: "type: rar") },
        plugins("a short sha256", ["plugins.yaml", "sha256 of 'debezium' must be 64 hex digits"]) { _ in builtins + "artifacts:\n" + goodArtifact.replacingOccurrences(of: String(repeating: "a", count: 64), with: "abc") },
        plugins("an artifact name that is a path", ["plugins.yaml", "must match"]) { _ in builtins + "artifacts:\n" + goodArtifact.replacingOccurrences(of: "name: debezium", with: "name: ../debezium") },
        plugins("a version with a slash", ["plugins.yaml", "may not contain '/'"]) { _ in builtins + "artifacts:\n" + goodArtifact.replacingOccurrences(of: "version: 3.0.7", with: "version: ../../3") },
        plugins("a set naming an unknown artifact", ["plugins.yaml", "'ghost'"]) { _ in builtins + "artifacts:\n" + goodArtifact + "clusters:\n  alpha: [ghost]\n" },
        plugins("a store URL with credentials", ["plugins.yaml", "store's URL holds credentials"], secrets: [secret]) { _ in builtins + "store:\n  url: https://bot:\(secret)@store.example.com/plugins\n" },
        plugins("a store password in the file", ["plugins.yaml", "credentials are written in plugins.yaml"], secrets: [secret]) { _ in builtins + "store:\n  url: https://store.example.com\n  password: \(secret)\n" },
        plugins("a set for an unknown cluster", ["plugins.yaml", "cluster 'mars'"]) { _ in builtins + "artifacts:\n" + goodArtifact + "clusters:\n  mars: [debezium]\n" },
        plugins("an artifact listed twice", ["plugins.yaml", "listed twice"]) { _ in builtins + "artifacts:\n" + goodArtifact + goodArtifact },
        Case(name: "a class no plugin of the cluster provides", expected: ["bad.yaml", "[plugin-missing]"]) { c in
            try c.folder.write("plugins.yaml", builtins + "artifacts:\n" + goodArtifact + "clusters:\n  alpha: []\n  beta: []\n")
            try bad(c, sink("bad", c).replacingOccurrences(of: "org.apache.kafka.connect.file.FileStreamSinkConnector", with: "io.debezium.connector.postgresql.PostgresConnector"))
        },
        Case(name: "plugins.yaml is a folder", expected: ["plugins.yaml", "is a folder"]) { try FileManager.default.createDirectory(at: url($0, "plugins.yaml"), withIntermediateDirectories: true) },
    ]

    /// A cluster `faulty` at the URL `makeURL` gives (a fake server it starts, or a wrong URL)
    /// with a connector on it, beside the valid one.
    static func faulty(_ name: String, _ expected: [String], command: String = "apply", _ makeURL: @escaping @Sendable () async throws -> String) -> Case {
        Case(name: name, expected: ["Cluster faulty"] + expected, arguments: [command] + (command == "apply" ? ["--auto-approve"] : []) + ["--timeout", "3"]) { c in
            let address = try await makeURL()
            let text = try String(contentsOf: url(c, "switchboard.yaml"), encoding: .utf8)
            try c.folder.write("switchboard.yaml", text.replacingOccurrences(of: "policy:", with: "  - name: faulty\n    url: \"\(address)\"\npolicy:"))
            try bad(c, sink("far", c).replacingOccurrences(of: "cluster: alpha", with: "cluster: faulty"), file: "far.yaml")
        }
    }

    static var alphaURL: String { TestStack.shared.stack.configuration.workerURLs(of: "alpha")[0].absoluteString }

    static let network: [Case] = [
        faulty("refused", ["connection refused"]) { "http://127.0.0.1:\(PortProbe.ephemeral())" },
        faulty("refused, plan", ["connection refused"], command: "plan") { "http://127.0.0.1:\(PortProbe.ephemeral())" },
        faulty("accepted but silent", ["sent no answer", "within"]) { try await FaultServer.start(.silent).url },
        faulty("accepted but silent, plan", ["sent no answer", "within"], command: "plan") { try await FaultServer.start(.silent).url },
        faulty("a web server answering 404", ["404", "Kafka Connect URL"]) { try await FaultServer.start(.answer(.init(status: 404, body: "<h1>Not Found</h1>", contentType: "text/html"))).url },
        faulty("a real worker under a wrong path", ["is this a Kafka Connect URL"]) { alphaURL + "/connect" },
        faulty("TLS on an http URL", ["https://"]) { try await FaultServer.start(.tls).url },
        faulty("plain HTTP on an https URL", ["TLS", "http://"]) { "https://127.0.0.1:\(try await FaultServer.start(.answer(.init())).port)" },
        faulty("a host that does not resolve", ["does not resolve"]) { "http://connect.invalid:8083" },
        faulty("a body that trickles", ["body did not arrive within"]) { try await FaultServer.start(.slowBody(total: 5000, interval: .milliseconds(300))).url },
        faulty("credentials refused", ["401"]) { try await FaultServer.start(.answer(.init(status: 401, body: #"{"error_code":401,"message":"Unauthorized"}"#))).url },
        faulty("a worker that never finishes starting", ["503"]) { try await FaultServer.start(.answer(.init(status: 503, body: #"{"error_code":503,"message":"still starting"}"#))).url },
    ]

    static let applyTime: [Case] = [
        Case(name: "Connect rejects a key", expected: ["bad.yaml", "[server-validation]", "'batch.size'", "_bad"], deadline: .seconds(200)) { c in
            try bad(c, "name: bad\ncluster: alpha\nclass: org.apache.kafka.connect.file.FileStreamSourceConnector\nconfig:\n  topic: \(c.team)-t\n  file: /tmp/x\n  batch.size: lots\n")
        },
        Case(name: "Connect knows no such class", expected: ["bad.yaml", "[server-validation]", "org.example.NoSuchConnector"], deadline: .seconds(200)) { c in
            try bad(c, sink("bad", c).replacingOccurrences(of: "org.apache.kafka.connect.file.FileStreamSinkConnector", with: "org.example.NoSuchConnector"))
        },
        Case(name: "an update beside an invalid create", expected: ["bad.yaml", "[server-validation]"], preApplied: true, deadline: .seconds(200)) { c in
            try c.fileSink("good", topic: "\(c.team)-changed", cluster: "beta", state: "stopped")
            try bad(c, "name: bad\ncluster: alpha\nclass: org.apache.kafka.connect.file.FileStreamSourceConnector\nconfig:\n  topic: \(c.team)-t\n  file: /tmp/x\n  batch.size: lots\n")
        },
        Case(name: "more deletes than the policy allows", expected: ["deletes 3 connectors", "maxDeletesPerApply (2)", "--allow-mass-delete"], preApplied: true, deadline: .seconds(200)) { c in
            let text = try String(contentsOf: url(c, "switchboard.yaml"), encoding: .utf8)
            try c.folder.write("switchboard.yaml", text + "\n  maxDeletesPerApply: 2\n")
            for name in ["old1", "old2"] {
                try c.fileSink(name, topic: "\(c.team)-\(name)", cluster: "beta", state: "stopped")
            }
            let applied = try await c.run("apply", "--auto-approve")
            try #require(applied.status == 0, "\(applied.all)")
            try FileManager.default.removeItem(at: url(c, connectors(c)))
        },
    ]

    /// Apply's write settings out of range: refused before any read or write.
    static let writeFlags: [Case] = [
        Case(name: "--parallelism 0", expected: ["--parallelism must be between 1 and"], arguments: ["apply", "--auto-approve", "--parallelism", "0"]) { _ in },
        Case(name: "--parallelism above the connections to a worker", expected: ["--parallelism must be between 1 and"],
             arguments: ["apply", "--auto-approve", "--parallelism", "100000"]) { _ in },
        Case(name: "--max-parallelism 0", expected: ["--max-parallelism must be between 1 and"], arguments: ["apply", "--auto-approve", "--max-parallelism", "0"]) { _ in },
        Case(name: "--write-timeout 0", expected: ["--write-timeout must be at least 1 second"], arguments: ["apply", "--auto-approve", "--write-timeout", "0"]) { _ in },
    ]

    @Test(arguments: writeFlags) func applysWriteSettings(_ item: Case) async throws { try await run(item) }
    @Test(arguments: network) func networkFaults(_ item: Case) async throws { try await run(item) }
    @Test(arguments: applyTime) func rejectedAtApplyTime(_ item: Case) async throws { try await run(item) }
    @Test(arguments: files) func filesAndFolders(_ item: Case) async throws { try await run(item) }
    @Test(arguments: yaml) func yamlSyntax(_ item: Case) async throws { try await run(item) }
    @Test(arguments: schema) func schemaOfTheFiles(_ item: Case) async throws { try await run(item) }
    @Test(arguments: policy) func policyRules(_ item: Case) async throws { try await run(item) }
    @Test(arguments: platformFile) func platformSettings(_ item: Case) async throws { try await run(item) }
    @Test(arguments: pluginManifest) func pluginManifestEntries(_ item: Case) async throws { try await run(item) }

    @Test func noConfirmationWithoutATerminal() async throws {
        try await run(Case(name: "no terminal", expected: ["pass --auto-approve"], arguments: ["apply"]) { _ in })
    }
}
