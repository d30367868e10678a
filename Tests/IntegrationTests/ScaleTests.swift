import ConnectClient
import Foundation
import LocalStack
import StackTesting
import TestSupport
import Testing

/// Horizontal scale on the real stack: a three-worker group spreads a connector's tasks and
/// moves the tasks of a killed worker to the others; an apply started as that worker, the
/// group's leader, is killed completes. Writes that come before the group elects another leader
/// are answered 500 "IO Error trying to forward" and retried (20 of them alone on a 2-core
/// machine, none in the loaded full suite: the deterministic check is ApplierFaultTests').
@Suite("Horizontal scale", .tags(.realStack))
struct ScaleTests {
    @Test func tasksSpreadOverWorkersAndMoveWhenOneIsKilled() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let stack = try await TestStack.shared.up()
        print("[scale] stack up after \(clock.now - started)")
        let client = TestStack.shared.client("scale")
        let name = TestStack.uniqueName("spread")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).out")
        try await client.putConfig(name, config: [
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "file": output.path, "topics": "\(name)-topic", "tasks.max": "3",
        ])

        // All three tasks run, each on a different worker.
        let placement = try await eventually("3 running tasks of \(name)") { () -> [Int: String]? in
            let status = try await client.status(of: name)
            let running = status.tasks.filter { $0.state == .running }
            guard running.count == 3 else { return nil }
            return Dictionary(uniqueKeysWithValues: running.map { ($0.id, $0.workerID ?? "") })
        }
        print("[scale] tasks spread after \(clock.now - started): \(placement)")
        let workers = stack.configuration.workerURLs(of: "scale").map { "\($0.host!):\($0.port!)" }
        #expect(Set(placement.values) == Set(workers), "tasks should run on all three workers: \(placement)")

        // The victim is the group's leader (it runs one of the three tasks): every write goes
        // through the leader, so once it is killed the others answer 500 "IO Error trying to
        // forward REST request" until the group elects another, which apply must ride out.
        let victimID = try leader(of: "scale", workers: workers, stack: stack)
        let victimNumber = try #require(workers.firstIndex(of: victimID)) + 1
        #expect(placement.values.contains(victimID), "the leader \(victimID) runs a task: \(placement)")

        // An apply of four connectors over the cluster's three worker URLs, with the victim's first.
        let urls = [victimID] + workers.filter { $0 != victimID }
        let catalog = try LiveCatalog(extraClusters: "  - name: scale\n    urls: [\(urls.map { "http://\($0)" }.joined(separator: ", "))]")
        for index in 1...4 {
            try catalog.fileSink("spread\(index)", topic: "\(name)-\(index)", cluster: "scale")
        }
        // Kill the leader as a crash would, and apply at once: until the group notices (the
        // session timeout), the two others forward every write to the dead leader. Its task moves
        // to them, and the apply completes through them.
        stack.worker("scale", victimNumber).kill9()
        let killed = clock.now
        let applied = try await catalog.run("apply", "--auto-approve")
        print("[scale] apply took \(clock.now - killed) after the kill")
        let survivors = Set(workers).subtracting([victimID])
        #expect(applied.status == 0, "the apply completes on the two workers left:\n\(applied.all)")
        #expect(applied.stdout.contains("Applied 4 of 4 change(s)."))
        let retries = applied.all.split(separator: "\n").filter { $0.contains("Connect asked to retry") }
        print("[scale] the apply was asked to retry \(retries.count) time(s): \(retries.prefix(3))")

        let moved = try await eventually(timeout: .seconds(180), "tasks of \(name) to leave \(victimID)") { () -> [Int: String]? in
            let status = try await client.status(of: name)
            let running = status.tasks.filter { $0.state == .running && survivors.contains($0.workerID ?? "") }
            guard running.count == 3 else { return nil }
            return Dictionary(uniqueKeysWithValues: running.map { ($0.id, $0.workerID ?? "") })
        }
        print("[scale] tasks moved after \(clock.now - started): \(moved)")
        #expect(Set(moved.values).isSubset(of: survivors))
        #expect(moved.count == 3)

        // The killed worker stays down: no other test uses this cluster, and `scripts/test` stops
        // the stack at the end. Restarting it here was seen to take over 240 s on Tansu under the
        // load of the other tests (the rejoining member's SyncGroup kept meeting a new rebalance).
        // Right after a worker died, a write can take longer than the client's deadline (Connect
        // answers once the group has settled): try again until it is gone.
        try await eventually(timeout: .seconds(180), "\(name) to be deleted") { () -> Bool? in
            do {
                try await client.delete(name)
            } catch let error as ConnectError where error.isNotFound {
                // Deleted by an earlier attempt whose answer came too late.
            }
            return true
        }
        try FileManager.default.removeItem(at: catalog.folder.root.appendingPathComponent("teams/\(catalog.team)/connectors"))
        // Cleanup only (no other test uses this cluster and scripts/test stops the stack): with
        // its killed member gone, a surviving worker was seen answering /health with 500
        // "ensuring membership" for minutes on the loaded test machine, and apply rightly refuses
        // an unhealthy cluster. What this test checks was checked above.
        let cleanup = try await catalog.run("apply", "--auto-approve")
        if cleanup.status != 0 { print("[scale] cleanup apply refused (the group had not settled):\n\(cleanup.all)") }
    }

    /// The `host:port` of the group's leader, from the last assignment a worker logged
    /// ("... got assignment: Assignment{..., leaderUrl='http://127.0.0.1:28104/', ...}").
    func leader(of cluster: String, workers: [String], stack: LocalStack) throws -> String {
        let log = try String(contentsOf: stack.worker(cluster, 1).logFile, encoding: .utf8)
        let marker = "leaderUrl='"
        let line = try #require(log.split(separator: "\n").last { $0.contains(marker) }, "worker 1 of \(cluster) logged no assignment")
        let url = try #require(line.split(separator: marker).last?.split(separator: "'").first.flatMap { URL(string: String($0)) })
        let leader = "\(url.host ?? ""):\(url.port ?? 0)"
        #expect(workers.contains(leader), "the leader \(leader) is one of the workers \(workers)")
        return leader
    }
}
