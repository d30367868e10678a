import ConnectClient
import Foundation
import StackTesting
import TestSupport
import Testing

/// `switchboard plan` and `apply` against the real Connect clusters of the test stack.
@Suite("Plan and apply against real Connect", .tags(.realStack))
struct ApplyTests {
    let alpha = TestStack.shared.client("alpha")
    let beta = TestStack.shared.client("beta")

    /// `SWITCHBOARD_LOG_LEVEL=debug` reaches the Connect client: every request is logged with
    /// its cluster, through the scrubber (the planted password never shows).
    @Test func debugLoggingShowsEachConnectRequestWithItsCluster() async throws {
        try await TestStack.shared.up()
        let secret = "Planted-\(UInt32.random(in: 0...UInt32.max))-pw"
        let catalog = try LiveCatalog(plantedSecret: secret)
        try catalog.fileSource("events", topic: "\(catalog.team)-debug")
        let result = try await catalog.run("plan")
        #expect(result.status == 0, "\(result.all)")
        let answered = result.stderr.split(separator: "\n").filter { $0.contains("Connect answered") }
        #expect(answered.contains { $0.contains("cluster=alpha") && $0.contains("GET /connectors") }, "\(result.stderr)")
        #expect(answered.contains { $0.contains("cluster=beta") }, "\(result.stderr)")
        #expect(!result.all.contains(secret))
    }

    /// `apply --output json`: stdout is one JSON document with every outcome and each cluster's
    /// writes (concurrency included); progress goes to stderr; the planted cluster password
    /// shows in neither.
    @Test func applyReportsOutcomesAndWritesAsJSON() async throws {
        try await TestStack.shared.up()
        let secret = "Planted-\(UInt32.random(in: 0...UInt32.max))-json"
        let catalog = try LiveCatalog(plantedSecret: secret)
        let topic = "\(catalog.team)-json"
        try catalog.fileSource("one", topic: topic)
        try catalog.fileSource("two", topic: topic)
        try catalog.fileSink("three", team: catalog.otherTeam, topic: topic, cluster: "beta")
        let result = try await catalog.run("apply", "--auto-approve", "--output", "json")
        #expect(result.status == 0, "\(result.all)")
        let summary = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout is JSON alone: \(result.stdout)")
        #expect(summary["changes"] as? Int == 3 && summary["applied"] as? Int == 3)
        let results = try #require(summary["results"] as? [[String: Any]])
        #expect(Set(results.compactMap { $0["result"] as? String }) == ["applied"])
        let writes = try #require(summary["writes"] as? [[String: Any]])
        #expect(writes.compactMap { $0["cluster"] as? String } == ["alpha", "beta"])
        #expect(writes.compactMap { $0["writes"] as? Int } == [2, 1])
        #expect(writes.allSatisfy { ($0["adaptive"] as? Bool) == true && ($0["initialConcurrency"] as? Int) == 8 })
        #expect(result.stderr.contains("alpha: 2/2 written"), "progress on stderr: \(result.stderr)")
        #expect(!result.all.contains(secret))
        for name in ["\(catalog.team)_one", "\(catalog.team)_two"] { try await alpha.delete(name) }
        try await beta.delete("\(catalog.otherTeam)_three")
    }

    @Test func createUpdateStateChangePruneAndConvergeOverTwoClusters() async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog()
        let topic = "\(catalog.team)-events"
        try catalog.fileSource("events", topic: topic)
        try catalog.fileSink("archive", topic: topic, state: "paused")
        try catalog.fileSink("mirror", team: catalog.otherTeam, topic: topic, cluster: "beta", state: "stopped")
        let source = "\(catalog.team)_events", archive = "\(catalog.team)_archive", mirror = "\(catalog.otherTeam)_mirror"

        // One plan over both clusters: three creates.
        let (plan, status) = try await catalog.plan()
        #expect(status == 2)
        #expect(plan.cluster("alpha")?.changes.map(\.action) == ["create", "create"])
        #expect(plan.cluster("beta")?.changes.map(\.connector) == [mirror])

        let applied = try await catalog.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.all)")
        #expect(applied.stdout.contains("Applied 3 of 3 change(s)."))
        #expect(try await alpha.status(of: source).connector.state == .running)
        #expect(try await alpha.status(of: archive).connector.state == .paused)
        #expect(try await beta.status(of: mirror).connector.state == .stopped)
        #expect(try await alpha.connectors()[archive]?.info?.config["errors.deadletterqueue.topic.name"] == "dlq.\(catalog.team).archive")
        // `state:` is honoured at creation (KIP-980 initial_state), not by a pause or stop after a
        // start: the workers' request logs name no such call for the two.
        let requests = try ["alpha", "beta"].map { try String(contentsOf: TestStack.shared.stack.worker($0, 1).logFile, encoding: .utf8) }.joined()
        #expect(requests.contains("POST /connectors HTTP"), "the request log is where this looks")
        #expect(!requests.contains("/connectors/\(archive)/pause") && !requests.contains("/connectors/\(mirror)/stop"))

        // Converged: a plan right after shows no changes.
        #expect(try await catalog.plan().1 == 0)

        // Update a key, resume the archive, drop the mirror from the catalog.
        try catalog.fileSource("events", topic: "\(topic)-v2")
        try catalog.fileSink("archive", topic: topic, state: "running")
        try catalog.folder.remove("teams/\(catalog.otherTeam)/connectors/mirror.yaml")
        let (second, secondStatus) = try await catalog.plan()
        #expect(secondStatus == 2)
        let byName = Dictionary(uniqueKeysWithValues: second.changes.map { ($0.connector, $0) })
        #expect(byName[source]?.action == "update")
        #expect(byName[source]?.keyChanges == [.init(key: "topic", kind: "changed", old: topic, new: "\(topic)-v2")])
        #expect(byName[archive]?.action == "change-state")
        #expect(byName[archive]?.toState == "running")
        #expect(byName[mirror]?.action == "delete")

        let again = try await catalog.run("apply", "--auto-approve")
        #expect(again.status == 0, "\(again.all)")
        #expect(try await alpha.connectors()[source]?.info?.config["topic"] == "\(topic)-v2")
        #expect(try await alpha.status(of: archive).connector.state == .running)
        #expect(try await beta.connectors()[mirror] == nil)
        #expect(try await catalog.plan().1 == 0)

        // Removing everything prunes what the catalog managed.
        try catalog.folder.remove("teams/\(catalog.team)/connectors")
        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        let left = try await alpha.connectorNames()
        #expect(!left.contains(source) && !left.contains(archive))
    }

    @Test func driftBehindSwitchboardsBackShowsInPlanAndApplyRestoresIt() async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog()
        try catalog.fileSink("orders", topic: "\(catalog.team)-orders")
        let name = "\(catalog.team)_orders"
        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        let desired = try #require(try await alpha.connectors()[name]?.info?.config)

        // Someone edits the connector through the REST API.
        var edited = desired.filter { $0.key != "name" }
        edited["topics"] = "someone-elses-topic"
        edited["batch.size"] = "7"
        edited.removeValue(forKey: "errors.tolerance")
        try await alpha.putConfig(name, config: edited)

        let (plan, status) = try await catalog.plan()
        #expect(status == 2)
        let change = try #require(plan.changes.first { $0.connector == name })
        #expect(change.action == "update")
        #expect(change.keyChanges == [
            .init(key: "batch.size", kind: "removed", old: "7", new: nil),
            .init(key: "errors.tolerance", kind: "added", old: nil, new: "all"),
            .init(key: "topics", kind: "changed", old: "someone-elses-topic", new: "\(catalog.team)-orders"),
        ])

        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        #expect(try await alpha.connectors()[name]?.info?.config == desired)
        #expect(try await catalog.plan().1 == 0)
        try await alpha.delete(name)
    }

    @Test func connectorsWithoutACatalogTeamAreListedAndNeverTouched() async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog()
        let legacy = "legacy-\(catalog.team)"
        let foreign = "ghost-\(catalog.team.dropFirst(4))_export"
        let config = ["connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "topics": "nobody", "file": "/tmp/\(legacy).out"]
        try await alpha.create(legacy, config: config, initialState: .stopped)
        try await alpha.create(foreign, config: config, initialState: .stopped)
        // The bulk expand call leaves out a connector whose status is not written yet.
        try await eventually(timeout: .seconds(30), "both connectors in the bulk view") {
            let all = try await alpha.connectors()
            return all[legacy]?.status != nil && all[foreign]?.status != nil ? true : nil
        }
        try catalog.fileSink("orders", topic: "\(catalog.team)-orders")

        let (plan, _) = try await catalog.plan()
        let unmanaged = try #require(plan.cluster("alpha")?.unmanaged)
        #expect(unmanaged.contains(legacy) && unmanaged.contains(foreign), "\(foreign) in \(unmanaged)")
        #expect(!plan.changes.contains { $0.connector == legacy || $0.connector == foreign })
        let text = try await catalog.run("plan")
        #expect(text.stdout.contains("? \(legacy)  (unmanaged"))

        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        let after = try await alpha.connectors()
        #expect(after[legacy]?.info?.config["topics"] == "nobody")
        #expect(after[foreign]?.state == .stopped)
        for name in [legacy, foreign, "\(catalog.team)_orders"] { try await alpha.delete(name) }
    }

    @Test func validateServerReportsConnectsOwnErrorsPerKey() async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog()
        try catalog.connector("bad", className: "org.apache.kafka.connect.file.FileStreamSourceConnector", config: ["topic": "t", "file": "/tmp/x", "batch.size": "lots"])
        #expect(try await catalog.run("validate").status == 0)
        let result = try await catalog.run("validate", "--server")
        #expect(result.status == 1)
        #expect(result.stderr.contains("teams/\(catalog.team)/connectors/bad.yaml:"))
        #expect(result.stderr.contains("[server-validation] Connect rejects 'batch.size'"))
    }

    @Test func aProtectedConnectorOutlivesItsFileUntilItIsUnprotected() async throws {
        try await TestStack.shared.up()
        let catalog = try LiveCatalog()
        try catalog.fileSink("keep", topic: "\(catalog.team)-keep", state: "stopped")
        let file = "teams/\(catalog.team)/connectors/keep.yaml"
        let text = try String(contentsOf: catalog.folder.root.appendingPathComponent(file), encoding: .utf8)
        try catalog.folder.write(file, text.replacingOccurrences(of: "state: stopped", with: "state: stopped\nprotect: true"))
        let name = "\(catalog.team)_keep"
        #expect(try await catalog.run("apply", "--auto-approve").status == 0, "Connect accepts the marker key")
        #expect(try await alpha.connectors()[name]?.info?.config["switchboard.protect"] == "true")

        // The file goes: the plan keeps the connector, and says why.
        try catalog.folder.remove(file)
        let (plan, status) = try await catalog.plan()
        #expect(status == 0, "no change is planned")
        #expect(plan.changes.isEmpty)
        let text2 = try await catalog.run("plan")
        #expect(text2.stdout.contains("! \(name)  kept: not in the catalog, but protected"))
        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        #expect(try await alpha.connectors()[name] != nil, "still there")

        // Unprotect (an update that removes the marker), then remove the file: now it is deleted.
        try catalog.folder.write(file, text)
        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        #expect(try await alpha.connectors()[name]?.info?.config["switchboard.protect"] == nil)
        try catalog.folder.remove(file)
        #expect(try await catalog.run("apply", "--auto-approve").status == 0)
        #expect(try await alpha.connectors()[name] == nil)
    }
}
