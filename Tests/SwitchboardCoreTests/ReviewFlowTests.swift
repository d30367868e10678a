import Foundation
import Testing
@testable import SwitchboardCore

/// Environments (one definition, per-cluster overrides, promotion) and the review flow's
/// outputs: `plan --output markdown` (a golden file) and `render codeowners`.
@Suite("Environments and review flow")
struct ReviewFlowTests {
    static let platform = """
        environments: [staging, prod]
        reviewers: ["@acme/platform"]
        clusters:
          - name: ingest-staging
            url: http://127.0.0.1:18083
            environment: staging
          - name: ingest-prod
            url: http://127.0.0.1:18093
            environment: prod
        policy:
          maxTasks: 4
          requirePromotion: true
          maxDeletesPerApply: 0
        """

    static let orders = """
        name: orders
        class: org.example.Sink
        config:
          topics: orders
          file: /data/orders.out
        clusters:
          ingest-staging: {}
          ingest-prod:
            tasks: 3
            state: paused
            config:
              file: /data/prod/orders.out
        """

    @Test func oneFileRunsOnEachClusterWithItsOverrides() throws {
        let result = try CatalogFixture(["teams/payments/connectors/orders.yaml": Self.orders], platform: Self.platform).load()
        #expect(result.violations.isEmpty, "\(result.violations)")
        let byCluster = Dictionary(uniqueKeysWithValues: result.catalog.connectors.map { ($0.cluster, $0) })
        #expect(byCluster["ingest-staging"]?.tasks == 1 && byCluster["ingest-staging"]?.state == .running)
        #expect(byCluster["ingest-staging"]?.config == ["topics": "orders", "file": "/data/orders.out"])
        #expect(byCluster["ingest-prod"]?.tasks == 3 && byCluster["ingest-prod"]?.state == .paused)
        #expect(byCluster["ingest-prod"]?.config == ["topics": "orders", "file": "/data/prod/orders.out"])
        #expect(byCluster["ingest-prod"]?.location(ofKey: "file").line == 12, "a key set for one cluster points at its override")
        #expect(PolicyChecker(catalog: result.catalog).check().isEmpty)
        #expect(result.catalog.cluster(named: "ingest-prod")?.environment == "prod")
    }

    @Test func promotionSkippingAnEnvironmentIsRefused() throws {
        let prodOnly = Self.orders.replacingOccurrences(of: "  ingest-staging: {}\n", with: "")
        let violations = try CatalogFixture(["teams/payments/connectors/orders.yaml": prodOnly], platform: Self.platform).violations()
        let promotion = try #require(violations.first { $0.rule == .promotion })
        #expect(promotion.description.contains("payments_orders is on ingest-prod (environment prod) but on no cluster of staging"), "\(promotion)")
        #expect(promotion.description.contains("teams/payments/connectors/orders.yaml"))
        // Without the policy, prod alone is fine.
        let relaxed = Self.platform.replacingOccurrences(of: "  requirePromotion: true\n", with: "")
        #expect(try CatalogFixture(["teams/payments/connectors/orders.yaml": prodOnly], platform: relaxed).violations().isEmpty)
    }

    @Test(arguments: [
        ("name: orders\nclass: org.example.Sink\ncluster: ingest-staging\nclusters: [ingest-prod]\nconfig:\n  topics: orders\n", "both `cluster:` and `clusters:`"),
        ("name: orders\nclass: org.example.Sink\nclusters: []\nconfig:\n  topics: orders\n", "names no cluster"),
        ("name: orders\nclass: org.example.Sink\nclusters:\n  ingest-prod:\n    class: org.example.Other\nconfig:\n  topics: orders\n", "Unknown key 'class'"),
        ("name: orders\nclass: org.example.Sink\nclusters:\n  ingest-prod:\n    tasks: many\nconfig:\n  topics: orders\n", "whole number"),
        ("name: orders\nclass: org.example.Sink\nclusters:\n  ingest-prod: yes\nconfig:\n  topics: orders\n", "must be a mapping of settings"),
        ("name: orders\nclass: org.example.Sink\nclusters:\n  ingest-staging: {}\n  ingest-elsewhere: {}\nconfig:\n  topics: orders\n", "ingest-elsewhere"),
    ])
    func badClusterEntriesAreNamed(file: String, expected: String) throws {
        let relaxed = Self.platform.replacingOccurrences(of: "  requirePromotion: true\n", with: "")
        let violations = try CatalogFixture(["teams/payments/connectors/orders.yaml": file], platform: relaxed).violations()
        #expect(violations.contains { $0.description.contains(expected) && $0.description.contains("orders.yaml") }, "\(violations)")
    }

    @Test(arguments: [
        ("clusters:\n  - name: a\n    url: http://127.0.0.1:1\n    environment: prod\n", "which `environments:` does not list"),
        ("environments: [staging, staging]\nclusters:\n  - name: a\n    url: http://127.0.0.1:1\n", "listed twice"),
        ("clusters:\n  - name: a\n    url: http://127.0.0.1:1\npolicy:\n  requirePromotion: true\n", "needs at least two `environments:`"),
        ("reviewers: [\"platform team\"]\nclusters:\n  - name: a\n    url: http://127.0.0.1:1\n", "is not a code owner"),
    ])
    func badPlatformSettingsAreNamed(platform: String, expected: String) throws {
        let violations = try CatalogFixture([:], platform: platform).violations()
        #expect(violations.contains { $0.description.contains(expected) && $0.description.contains("switchboard.yaml") }, "\(violations)")
    }

    /// A plan with every kind of change, a secret, a delete, environments, and text that could
    /// break markdown (pipes, backticks).
    static func plan() throws -> (Plan, Catalog) {
        let catalog = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": Self.orders,
            "teams/payments/connectors/audit.yaml": "name: audit\nclass: org.example.Sink\nclusters: [ingest-staging]\nconfig:\n  topics: audit\n  transforms.x.regex: \"a|b `c`\"\n  db.password: ${file:/s.properties:pw}\n",
        ], platform: Self.platform.replacingOccurrences(of: "  requirePromotion: true\n", with: "")).load().catalog
        let live: [String: [LiveConnector]] = [
            "ingest-staging": [
                LiveConnector(name: "payments_audit", config: ["connector.class": "org.example.Sink", "tasks.max": "1", "topics": "audit", "transforms.x.regex": "old",
                                                               "db.password": "jdbc-typed-hunter2"], state: "RUNNING"),
                LiveConnector(name: "payments_retired", config: ["connector.class": "org.example.Sink", "topics": "old"], state: "RUNNING"),
                LiveConnector(name: "legacy-export", config: ["connector.class": "org.example.Sink"], state: "RUNNING"),
            ],
            "ingest-prod": [
                LiveConnector(name: "payments_orders", config: ["connector.class": "org.example.Sink", "tasks.max": "3", "topics": "orders", "file": "/data/prod/orders.out"], state: "RUNNING"),
            ],
        ]
        return (Planner(catalog: catalog).plan(live: live), catalog)
    }

    @Test func theMarkdownPlanMatchesItsGoldenFile() throws {
        let (plan, catalog) = try Self.plan()
        let markdown = PlanRenderer.markdown(plan, deleteLimit: catalog.policy.maxDeletesPerApply)
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/plan.md")
        if ProcessInfo.processInfo.environment["SWITCHBOARD_UPDATE_GOLDEN"] == "1" {
            try markdown.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(markdown == expected, "run with SWITCHBOARD_UPDATE_GOLDEN=1 to accept a deliberate change, then review the diff of Golden/plan.md")
        #expect(!markdown.contains("hunter2"))
        // Deletes come before anything else of their cluster, and loud at the top.
        let top = try #require(markdown.range(of: "[!CAUTION]"))
        let delete = try #require(markdown.range(of: "| **DELETE** | `payments_retired`"))
        let create = try #require(markdown.range(of: "| create |"))
        #expect(top.lowerBound < delete.lowerBound && delete.lowerBound < create.lowerBound)
        #expect(markdown.contains("#### Cluster `ingest-prod` (environment `prod`)"))
    }

    @Test func markdownScrubsWhatThePlannerDoesNotKnowIsSecret() {
        let change = Change(action: .update, cluster: "c", connector: "payments_x", team: "payments", source: nil,
                            keyChanges: [KeyChange(key: "connection.url", kind: .changed, old: "jdbc:postgresql://app:planted-pw-7@db/x", new: "jdbc:postgresql://db/x")])
        let markdown = PlanRenderer.markdown(Plan(clusters: [ClusterPlan(cluster: "c", changes: [change], unchanged: [], unmanaged: [])]))
        #expect(!markdown.contains("planted-pw-7"), "\(markdown)")
    }

    @Test func codeownersGivesEachTeamItsFolder() throws {
        let catalog = try CatalogFixture([
            "teams/payments/team.yaml": "members: [alice]\nreviewers: [\"@acme/payments-eng\", ana@example.com]\n",
            "teams/analytics/team.yaml": "members: [carol]\n",
        ], platform: Self.platform, teams: []).load().catalog
        let rendered = CodeownersRenderer.render(catalog)
        #expect(rendered.text.hasSuffix("""
            * @acme/platform
            /switchboard.yaml @acme/platform
            /plugins.yaml @acme/platform
            /teams/payments/ @acme/payments-eng ana@example.com

            """), "\(rendered.text)")
        #expect(rendered.warnings == ["team analytics names no reviewers in teams/analytics/team.yaml: its folder needs the platform's review."])
        let nested = CodeownersRenderer.render(catalog, prefix: "catalog/")
        #expect(nested.text.contains("/catalog/ @acme/platform\n") && nested.text.contains("/catalog/teams/payments/ @acme/payments-eng"))
    }
}
