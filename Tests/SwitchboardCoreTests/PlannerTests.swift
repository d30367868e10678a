import Foundation
@testable import SwitchboardCore
import Testing

@Suite struct PlannerTests {
    func catalog(_ files: [String: String]) throws -> Catalog {
        let result = try CatalogFixture(files).load()
        #expect(result.violations.isEmpty, "\(result.violations)")
        return result.catalog
    }

    /// What Connect stores for a connector the catalog defines: its effective config plus `name`.
    func stored(_ catalog: Catalog, _ name: String) -> [String: String] {
        let connector = catalog.connectors.first { $0.fullName == name }!
        return catalog.policy.effectiveConfig(for: connector).merging(["name": name]) { $1 }
    }

    @Test func missingConnectorsAreCreatedInTheirDesiredState() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector(extra: "state: stopped")])
        let plan = Planner(catalog: catalog).plan(live: [:])
        let change = try #require(plan.changes.first)
        #expect(change.action == .create)
        #expect(change.connector == "payments_orders")
        #expect(change.toState == .stopped)
        #expect(change.config?["errors.deadletterqueue.topic.name"] == "dlq.payments.orders")
        #expect(plan.summary.create == 1)
        #expect(plan.hasChanges)
    }

    /// A plan made with a memo is the plan made without, poll after poll, as the live side changes.
    @Test func aMemoizedPlanEqualsAFreshOne() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector()])
        let planner = Planner(catalog: catalog)
        var memo = PlanMemo()
        var live = [LiveConnector(name: "payments_orders", config: stored(catalog, "payments_orders"), state: "RUNNING")]
        for round in 0..<4 {
            switch round {
            case 1: live[0].config?["tasks.max"] = "9"  // drift
            case 2: live[0].state = "PAUSED"            // and a state change
            case 3: live = []                            // gone: a create
            default: break
            }
            let memoized = planner.plan(cluster: "ingest", live: live, memo: &memo)
            #expect(memoized == planner.plan(cluster: "ingest", live: live), "round \(round)")
            let again = planner.plan(cluster: "ingest", live: live, memo: &memo)
            #expect(again == memoized, "round \(round): reused")
        }
    }

    @Test func keysConnectAddsByItselfAreNotDrift() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector()])
        let live = LiveConnector(name: "payments_orders", config: stored(catalog, "payments_orders"), state: "RUNNING")
        let plan = Planner(catalog: catalog).plan(live: ["ingest": [live]])
        #expect(!plan.hasChanges)
        #expect(plan.clusters.first?.unchanged == ["payments_orders"])
    }

    @Test func configDriftIsAKeyLevelUpdateWithSecretsMasked() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector(config: "    topics: orders\n    db.password: ${file:/s.properties:pw}")])
        var config = stored(catalog, "payments_orders")
        config["topics"] = "orders-v2"
        config["db.password"] = "a-literal-someone-typed"
        config["extra.key"] = "x"
        config.removeValue(forKey: "errors.tolerance")
        let plan = Planner(catalog: catalog).plan(live: ["ingest": [LiveConnector(name: "payments_orders", config: config, state: "RUNNING")]])
        let change = try #require(plan.changes.first)
        #expect(change.action == .update)
        #expect(!change.changesState)
        #expect(change.keyChanges == [
            KeyChange(key: "db.password", kind: .changed, old: "(secret)", new: "(secret)"),
            KeyChange(key: "errors.tolerance", kind: .added, old: nil, new: "all"),
            KeyChange(key: "extra.key", kind: .removed, old: "x", new: nil),
            KeyChange(key: "topics", kind: .changed, old: "orders-v2", new: "orders"),
        ])
        let text = PlanRenderer.render(plan)
        #expect(!text.contains("a-literal-someone-typed"))
        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        #expect(!json.contains("a-literal-someone-typed"))
        #expect(!json.contains("/s.properties"), "the config to send is not part of the encoded plan")
    }

    @Test func stateDifferencesAreStateChanges() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector(extra: "state: paused")])
        let plan = Planner(catalog: catalog).plan(live: ["ingest": [LiveConnector(name: "payments_orders", config: stored(catalog, "payments_orders"), state: "RUNNING")]])
        let change = try #require(plan.changes.first)
        #expect(change.action == .changeState)
        #expect(change.fromState == "RUNNING")
        #expect(change.toState == .paused)
        #expect(PlanRenderer.render(plan).contains("state RUNNING -> paused"))
    }

    @Test func aFailedConnectorThatShouldRunIsNotAPlanChange() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector()])
        let failed = LiveConnector(name: "payments_orders", config: stored(catalog, "payments_orders"), state: "FAILED")
        #expect(!Planner(catalog: catalog).plan(live: ["ingest": [failed]]).hasChanges)
        let stopped = try self.catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector(extra: "state: stopped")])
        let failedToStop = LiveConnector(name: "payments_orders", config: self.stored(stopped, "payments_orders"), state: "FAILED")
        #expect(Planner(catalog: stopped).plan(live: ["ingest": [failedToStop]]).changes.first?.action == .changeState)
    }

    @Test func managedConnectorsNoLongerInTheCatalogAreDeletedAndOthersLeftAlone() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector()])
        let live = [
            LiveConnector(name: "payments_orders", config: stored(catalog, "payments_orders"), state: "RUNNING"),
            LiveConnector(name: "payments_old", config: ["connector.class": "x", "db.password": "hunter2"], state: "RUNNING"),
            LiveConnector(name: "billing_invoices", config: [:], state: "RUNNING"),
            LiveConnector(name: "legacy-export", config: [:], state: "PAUSED"),
        ]
        let plan = Planner(catalog: catalog).plan(live: ["ingest": live])
        #expect(plan.changes.map(\.action) == [.delete])
        #expect(plan.changes.first?.connector == "payments_old")
        #expect(plan.clusters.first?.unmanaged == ["billing_invoices", "legacy-export"])
        #expect(!PlanRenderer.render(plan).contains("hunter2"))
    }

    @Test func oneCatalogPlansEveryCluster() throws {
        let catalog = try catalog([
            "teams/payments/connectors/a.yaml": CatalogFixture.connector("a"),
            "teams/payments/connectors/b.yaml": CatalogFixture.connector("b", cluster: "analytics"),
        ])
        let plan = Planner(catalog: catalog).plan(live: ["analytics": [LiveConnector(name: "payments_b", config: stored(catalog, "payments_b"), state: "RUNNING")]])
        #expect(plan.clusters.map(\.cluster) == ["ingest", "analytics"])
        #expect(plan.clusters[0].changes.map(\.connector) == ["payments_a"])
        #expect(plan.clusters[1].unchanged == ["payments_b"])
        #expect(PlanRenderer.summaryLine(plan) == "Plan: 1 to create, 0 to update, 0 state changes, 0 to DELETE.")
    }
}

@Suite struct PlanRendererTests {
    @Test func longListsAreCountedNotSpelledOut() {
        let names = (0..<25).map { "team_c\($0)" }
        let plan = Plan(clusters: [ClusterPlan(cluster: "big", changes: [], unchanged: names, unmanaged: names.map { "other-\($0)" })])
        let text = PlanRenderer.render(plan)
        #expect(text.contains("= 25 unchanged: team_c0, team_c1"))
        #expect(text.contains("... and 15 more"))
        #expect(!text.contains("team_c24"))
        #expect(text.contains("? ... and 15 more unmanaged"))
        #expect(text.components(separatedBy: "\n").count < 20)
    }
}
