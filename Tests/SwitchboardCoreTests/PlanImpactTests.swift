import Foundation
import TestSupport
import Testing
@testable import SwitchboardCore

/// Whom a plan hurts: a source stopped or moved names the sinks of other teams that read its
/// topics; readers Switchboard cannot know are said; approval under require-approval.
@Suite struct PlanImpactTests {
    /// Payments' CDC source on cluster ingest writes payments.public.orders; analytics' sink on
    /// cluster analytics (the same brokers) reads it; payments' own sink too; billing reads by regex.
    static func catalog(rule: String = "warn") throws -> Catalog {
        let files = [
            "switchboard.yaml": """
                clusters:
                  - name: ingest
                    url: http://127.0.0.1:1
                    kafka: {bootstrapServers: "b1:9092,b2:9092"}
                  - name: analytics
                    url: http://127.0.0.1:2
                    kafka: {bootstrapServers: "B2:9092, b1:9092"}
                policy:
                  impact: {crossTeam: \(rule)}
                """,
            "teams/payments/team.yaml": "members: [alice]\nreviewers: [\"@acme/payments\"]\n",
            "teams/analytics/team.yaml": "members: [carol]\nreviewers: [\"@acme/analytics\"]\n",
            "teams/billing/team.yaml": "members: [bob]\n",
        ]
        return try CatalogLoader.loadChecked(from: try CatalogFolder(files).root)
    }

    static let live: [String: [LiveConnector]] = [
        "ingest": [LiveConnector(name: "payments_cdc", config: ["connector.class": "io.debezium.connector.postgresql.PostgresConnector", "topic.prefix": "payments",
                                                                "table.include.list": "public.orders"], state: "RUNNING"),
                   LiveConnector(name: "payments_archive", config: ["topics": "payments.public.orders"], state: "RUNNING")],
        "analytics": [LiveConnector(name: "analytics_orders-events", config: ["topics": "payments.public.orders, other"], state: "RUNNING"),
                      LiveConnector(name: "billing_all", config: ["topics.regex": "payments\\..*"], state: "RUNNING"),
                      LiveConnector(name: "billing_broken", config: ["topics.regex": "(unclosed"], state: "RUNNING")],
    ]

    static func plan(_ changes: Change...) -> Plan {
        Plan(clusters: [ClusterPlan(cluster: "ingest", changes: changes, unchanged: [], unmanaged: [])])
    }

    @Test func deletingASourceNamesTheSinksOfOtherTeamsOnItsTopic() throws {
        let catalog = try Self.catalog()
        let plan = Self.plan(Change(action: .delete, cluster: "ingest", connector: "payments_cdc", team: "payments", source: nil, fromState: "RUNNING"))
        let impact = PlanImpact.assess(plan, live: Self.live, catalog: catalog)
        let entry = try #require(impact.entries.first { $0.connector == "payments_cdc" })
        #expect(entry.kind == .stopsInput && entry.topics == ["payments.public.orders"])
        #expect(entry.readers.map(\.connector) == ["analytics_orders-events", "billing_all"], "other teams only, the regex reader too: \(entry.readers)")
        #expect(entry.unknown.contains { $0.contains("billing_broken") && $0.contains("cannot evaluate") }, "a pattern it cannot read is said: \(entry.unknown)")
        #expect(entry.unknown.contains { $0.contains("outside Kafka Connect") })
        #expect(impact.affectedTeams == ["analytics", "billing"])

        let text = PlanRenderer.render(PlanWithImpact.of(plan, impact))
        #expect(text.contains("!! ingest/payments_cdc (team payments) stops the input of analytics/analytics_orders-events (team analytics) on topic payments.public.orders"), "\(text)")
        let markdown = PlanRenderer.markdown(PlanWithImpact.of(plan, impact), reviewers: ["analytics": ["@acme/analytics"], "payments": ["@acme/payments"]])
        #expect(markdown.contains("Reviewers of the affected teams: @acme/analytics"), "\(markdown)")
        #expect(!markdown.contains("Reviewers of the affected teams: @acme/payments"))
        let json = String(decoding: try JSONEncoder().encode(PlanWithImpact.of(plan, impact)), as: UTF8.self)
        #expect(json.contains("\"stops-input\"") && json.contains("analytics_orders-events"))
    }

    @Test func pausingASourceOrMovingItsTopicIsAnImpactAndATopicNobodyReadsIsSaidSo() throws {
        let catalog = try Self.catalog()
        var live = Self.live
        live["ingest"]![0].config!["table.include.list"] = "public.orders,public.refunds"
        var after = live["ingest"]![0].config!
        after["table.include.list"] = "public.orders"
        let plan = Self.plan(Change(action: .update, cluster: "ingest", connector: "payments_cdc", team: "payments", source: nil, config: after))
        let impact = PlanImpact.assess(plan, live: live, catalog: catalog)
        let entry = try #require(impact.entries.first { $0.connector == "payments_cdc" })
        #expect(entry.kind == .changesInput && entry.topics == ["payments.public.refunds"], "\(entry)")
        #expect(entry.readers.map(\.connector) == ["billing_all"], "only the regex matches refunds")

        // Connect reports a topic the config does not name: it counts too.
        let reported = PlanImpact.assess(plan, live: live, catalog: catalog, reported: ["ingest/payments_cdc": ["payments.public.orders", "payments.heartbeat"]])
        #expect(reported.entries.first?.topics == ["payments.heartbeat", "payments.public.refunds"])

        let quiet = [String: [LiveConnector]](uniqueKeysWithValues: [("ingest", [live["ingest"]![0]])])
        let pause = Self.plan(Change(action: .changeState, cluster: "ingest", connector: "payments_cdc", team: "payments", source: nil, fromState: "RUNNING", toState: .paused, changesState: true))
        let alone = PlanImpact.assess(pause, live: quiet, catalog: catalog)
        #expect(alone.entries.first?.kind == .stopsInput && alone.entries.first?.readers.isEmpty == true && alone.affectedTeams.isEmpty)
        let text = PlanRenderer.render(PlanWithImpact.of(pause, alone))
        #expect(text.contains("no connector of another team reads them") && text.contains("outside Kafka Connect are not known"), "never \"no impact\": \(text)")
    }

    @Test func approvalIsNeededForEveryAffectedTeamAndOnlyForThem() throws {
        let catalog = try Self.catalog(rule: "require-approval")
        #expect(catalog.policy.crossTeamImpact == .requireApproval)
        let plan = Self.plan(Change(action: .delete, cluster: "ingest", connector: "payments_cdc", team: "payments", source: nil, fromState: "RUNNING"))
        let impact = PlanImpact.assess(plan, live: Self.live, catalog: catalog)
        func refusal(_ approved: [String]) -> String? {
            do {
                try ImpactApproval.check(impact, rule: .requireApproval, approved: approved)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal([])?.contains("--approve-impact team:analytics --approve-impact team:billing") == true, "\(refusal([]) ?? "")")
        #expect(refusal(["analytics"])?.contains("--approve-impact team:billing") == true)
        #expect(refusal(["analytics"])?.contains("team:analytics") == false)
        #expect(refusal(["analytics", "billing"]) == nil)
        #expect(refusal(["analytics", "billing", "payments"])?.contains("team:payments names a team this plan does not affect") == true)
        #expect(throws: ImpactApproval.Refused.self) { try ImpactApproval.check(impact, rule: .warn, approved: ["nobody"]) }
        #expect(throws: Never.self) { try ImpactApproval.check(impact, rule: .warn, approved: []) }
        #expect(try ImpactApproval.teams(["team:analytics"]) == ["analytics"])
        for bad in ["analytics", "team:", "teams:x", ":x"] {
            #expect(throws: ImpactApproval.Refused.self, "\(bad)") { try ImpactApproval.teams([bad]) }
        }
    }

    @Test func anUnknownImpactRuleIsOneErrorNamingTheKey() throws {
        let result = CatalogLoader.load(from: try CatalogFolder(["switchboard.yaml": "clusters:\n  - name: a\n    url: http://127.0.0.1:1\npolicy:\n  impact: {crossTeam: ask-nicely}\n"]).root)
        let messages = result.violations.map(\.message)
        #expect(messages.count == 1 && messages[0].contains("policy.impact.crossTeam must be warn or require-approval (got 'ask-nicely')"), "\(messages)")
    }
}

/// A plan with an impact attached, as the CLI makes it.
enum PlanWithImpact {
    static func of(_ plan: Plan, _ impact: PlanImpact) -> Plan {
        var plan = plan
        plan.impact = impact
        return plan
    }
}
