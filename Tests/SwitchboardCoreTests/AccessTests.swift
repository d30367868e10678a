import Foundation
@testable import SwitchboardCore
import Testing

/// Roles from team.yaml, access settings from switchboard.yaml, and the one decision over them.
@Suite struct AccessTests {
    static let platform = """
        clusters:
          - name: ingest
            url: http://127.0.0.1:18083
          - name: prod
            url: http://127.0.0.1:18093
            access:
              signedIn: viewer
              operate: owner
              offsets: admin
        admins:
          users: [pat]
        access:
          signedIn: reader
        """

    static let team = """
        members: [alice]
        groups: [payments-eng]
        roles:
          operator:
            groups: [sre]
          viewer:
            users: [alice]
          reader:
            users: [rita]
        """

    func policy() throws -> AccessPolicy {
        let result = try CatalogFixture(["teams/payments/team.yaml": Self.team], platform: Self.platform).load()
        #expect(result.violations.isEmpty, "\(result.violations)")
        return AccessPolicy(catalog: result.catalog)
    }

    @Test func everyRoleGetsWhatItNeedsAndNoMore() throws {
        let policy = try policy()
        // name, groups, cluster -> the capabilities on a payments connector.
        let cases: [(String, [String], String, [Capability])] = [
            ("alice", [], "ingest", [.viewStatus, .viewConfig, .operate, .changeOffsets, .changeLogLevels]),  // a member: owner (a lower grant does not lower her)
            ("bob", ["payments-eng"], "ingest", [.viewStatus, .viewConfig, .operate, .changeOffsets, .changeLogLevels]),
            ("sam", ["sre"], "ingest", [.viewStatus, .viewConfig, .operate]),
            ("rita", [], "ingest", [.viewStatus, .viewConfig]),
            ("nobody", [], "ingest", [.viewStatus, .viewConfig]),  // everyone signed in reads
            ("pat", [], "ingest", Capability.allCases),
            // prod: everyone a viewer, operating needs owner, offsets admin.
            ("nobody", [], "prod", [.viewStatus]),
            ("rita", [], "prod", [.viewStatus, .viewConfig]),
            ("sam", ["sre"], "prod", [.viewStatus, .viewConfig]),
            ("alice", [], "prod", [.viewStatus, .viewConfig, .operate]),
            ("pat", [], "prod", Capability.allCases),
        ]
        for (name, groups, cluster, expected) in cases {
            #expect(policy.capabilities(name: name, groups: groups, team: "payments", cluster: cluster) == expected, "\(name) on \(cluster)")
        }
    }

    @Test func aConnectorWithoutAKnownTeamGivesOnlyWhatEveryoneHas() throws {
        let policy = try policy()
        #expect(policy.role(name: "alice", groups: [], team: nil, cluster: "ingest") == .reader)
        #expect(policy.role(name: "alice", groups: [], team: "no-such-team", cluster: "ingest") == .reader)
        #expect(policy.role(name: "pat", groups: [], team: nil, cluster: "prod") == .admin)
        // A cluster the catalog does not know gets the platform's settings.
        #expect(policy.settings(on: "elsewhere") == AccessSettings(signedIn: .reader))
    }

    @Test func aRefusalSaysWhatIsNeededAndWhatTheUserHas() throws {
        let decision = try policy().decide(.operate, name: "sam", groups: ["sre"], team: "payments", cluster: "prod")
        #expect(!decision.allowed)
        #expect(decision.reason == "needs the role owner or higher (has operator)")
    }

    @Test func withoutAccessSettingsEveryoneReadsAndOwnersAct() throws {
        let catalog = try CatalogFixture([:]).load().catalog
        let policy = AccessPolicy(catalog: catalog)
        #expect(policy.capabilities(name: "carol", groups: [], team: "payments", cluster: "ingest") == [.viewStatus, .viewConfig])
        #expect(policy.capabilities(name: "alice", groups: [], team: "payments", cluster: "ingest") == [.viewStatus, .viewConfig, .operate, .changeOffsets, .changeLogLevels])
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var yaml: String
        var words: [String]
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "an unknown role in team.yaml", file: "teams/payments/team.yaml", yaml: "members: [alice]\nroles:\n  oprator:\n    users: [sam]\n", words: ["'oprator'", "operator"]),
        BadCase(name: "a team granting admin", file: "teams/payments/team.yaml", yaml: "members: [alice]\nroles:\n  admin:\n    users: [sam]\n", words: ["cannot grant the admin role"]),
        BadCase(name: "a grant with an unknown key", file: "teams/payments/team.yaml", yaml: "members: [alice]\nroles:\n  reader:\n    user: [sam]\n", words: ["'user'"]),
        BadCase(name: "roles as a list", file: "teams/payments/team.yaml", yaml: "members: [alice]\nroles: [reader]\n", words: ["roles"]),
        BadCase(name: "everyone an owner", file: "switchboard.yaml", yaml: "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\naccess:\n  signedIn: owner\n", words: ["access.signedIn", "viewer, reader, operator", "'owner'"]),
        BadCase(name: "operating open to viewers", file: "switchboard.yaml", yaml: "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\naccess:\n  operate: viewer\n", words: ["access.operate", "'viewer'"]),
        BadCase(name: "a cluster loosening what everyone gets", file: "switchboard.yaml",
                yaml: "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\n    access:\n      signedIn: reader\naccess:\n  signedIn: viewer\n", words: ["cluster 'ingest'", "only lower", "viewer"]),
        BadCase(name: "a cluster loosening operate", file: "switchboard.yaml",
                yaml: "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\n    access:\n      operate: operator\naccess:\n  operate: owner\n", words: ["cluster 'ingest'", "only raise"]),
        BadCase(name: "offsets below operate", file: "switchboard.yaml",
                yaml: "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\n    access:\n      operate: admin\n", words: ["access.offsets", "below access.operate"]),
        BadCase(name: "a misspelt access key", file: "switchboard.yaml", yaml: "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\naccess:\n  signedin: viewer\n", words: ["'signedin'", "signedIn"]),
    ]

    @Test(arguments: badCases) func badAccessSettingsAreOneClearErrorNamingTheFile(_ item: BadCase) throws {
        let violations = try CatalogFixture([item.file: item.yaml]).load().violations
        #expect(violations.count == 1, "\(violations)")
        let violation = try #require(violations.first)
        #expect(violation.location.file == item.file)
        let text = violation.message + " " + violation.fix
        for word in item.words {
            #expect(text.contains(word), "\(text)")
        }
    }
}

/// `autoRestart:` in switchboard.yaml and in a connector's file.
@Suite struct AutoRestartSettingsTests {
    static let platform = "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\nautoRestart:\n  enabled: true\n  maxRestarts: 5\n  unit: 30s\n  healthyAfter: 1h\n"

    @Test func aConnectorsOwnSettingOverridesThePlatformsDefault() throws {
        let result = try CatalogFixture([
            "teams/payments/connectors/a.yaml": CatalogFixture.connector("a", config: "    topics: a"),
            "teams/payments/connectors/b.yaml": CatalogFixture.connector("b", extra: "autoRestart:\n  enabled: false", config: "    topics: b"),
            "teams/payments/connectors/c.yaml": CatalogFixture.connector("c", extra: "autoRestart:\n  maxRestarts: 2", config: "    topics: c"),
        ], platform: Self.platform).load()
        #expect(result.violations.isEmpty, "\(result.violations)")
        let catalog = result.catalog
        #expect(catalog.autoRestart == AutoRestartPolicy(enabled: true, maxRestarts: 5, unitSeconds: 30, healthyAfterSeconds: 3600))
        let byName = Dictionary(uniqueKeysWithValues: catalog.connectors.map { ($0.name, $0) })
        #expect(byName["a"] != nil && byName["a"]?.autoRestart == nil, "no setting of its own: the platform's applies")
        #expect(byName["b"]?.autoRestart?.enabled == false)
        #expect(byName["c"]?.autoRestart == AutoRestartPolicy(enabled: true, maxRestarts: 2, unitSeconds: 30, healthyAfterSeconds: 3600))
        // Strimzi's schedule in units: at once, then 2, 6, 12, ... capped at 60.
        let policy = AutoRestartPolicy(unitSeconds: 1)
        #expect((0...9).map { policy.delay(afterRestarts: $0) } == [0, 2, 6, 12, 20, 30, 42, 56, 60, 60].map { Duration.seconds($0) })
        // Off unless switched on.
        #expect(try CatalogFixture([:]).load().catalog.autoRestart.enabled == false)
    }

    @Test(arguments: [
        ("switchboard.yaml", "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\nautoRestart:\n  unit: 5x\n", "autoRestart.unit"),
        ("switchboard.yaml", "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\nautoRestart:\n  healthyAfter: 0s\n", "autoRestart.healthyAfter"),
        ("switchboard.yaml", "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\nautoRestart:\n  maxRestarts: -1\n", "maxRestarts"),
        ("switchboard.yaml", "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\nautoRestart:\n  enabled: sometimes\n", "enabled"),
        ("teams/payments/connectors/a.yaml", "name: a\ncluster: ingest\nclass: org.example.Sink\nautoRestart:\n  unit: 1s\nconfig:\n  topics: a\n", "'unit'"),
    ])
    func badSettingsAreOneClearErrorNamingTheFile(_ file: String, _ yaml: String, _ word: String) throws {
        let violations = try CatalogFixture([file: yaml]).load().violations
        #expect(violations.count == 1, "\(violations)")
        #expect(violations.first?.location.file == file)
        #expect(violations.first.map { ($0.message + $0.fix).contains(word) } == true, "\(violations)")
    }
}
