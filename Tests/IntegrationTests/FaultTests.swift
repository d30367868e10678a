import AsyncHTTPClient
import ConnectClient
import Foundation
import LocalStack
import NIOCore
import StackTesting
import TestSupport
import SwitchboardServer
import Testing

/// Faults of real processes: the only worker of a cluster killed in the middle of an apply,
/// `serve` while that cluster is down and after it returns, and an artifact store that dies in
/// the middle of a download. (A worker of three killed mid-apply is in ScaleTests, which owns
/// the three-worker cluster.)
@Suite("Faults of real processes", .tags(.realStack), .serialized)
struct FaultTests {
    static let planted = "Planted-\(UInt32.random(in: 0...UInt32.max))-pw"

    @Test func theOnlyWorkerKilledMidApplyThenServeWhileItIsDownAndAfterItReturns() async throws {
        let stack = try await TestStack.shared.up()
        let faultURL = stack.configuration.workerURLs(of: "fault")[0].absoluteString
        let catalog = try LiveCatalog(extraClusters: "  - name: fault\n    url: \(faultURL)", plantedSecret: Self.planted)
        let names = (1...6).map { "c\($0)" }
        for name in names {
            try catalog.fileSink(name, topic: "\(catalog.team)-\(name)", cluster: "fault")
        }
        let fault = TestStack.shared.client("fault")

        // 1. Apply, and kill the worker once the first connector exists.
        let apply = Task { try await catalog.run("apply", "--auto-approve", "--timeout", "5") }
        try await eventually(timeout: .seconds(120), every: .milliseconds(200), "a first connector of the apply on cluster fault") {
            try await fault.connectorNames().contains { $0.hasPrefix("\(catalog.team)_") } ? true : nil
        }
        stack.worker("fault", 1).kill9()
        let killed = ContinuousClock.now
        let result = try await apply.value
        let took = ContinuousClock.now - killed
        #expect(result.status == 1, "\(result.all)")
        #expect(result.all.contains("fault/"), "the failures name the cluster:\n\(result.all)")
        #expect(result.all.contains("connection refused") || result.all.contains("unreachable"), "\(result.all)")
        // Writes are retried for twice the timeout, the wait gives up after one: well under a minute.
        #expect(took < .seconds(60), "apply ended \(took) after the kill")
        #expect(!result.all.contains(Self.planted))

        // 2. serve while the cluster is down: pages render, the cluster is marked unreachable.
        let port = PortProbe.ephemeral()
        let serve = try await startServe(catalog, port: port)
        defer { serve.stop(grace: 5) }
        let base = "http://127.0.0.1:\(port)"
        try await eventually(timeout: .seconds(60), "serve to answer") { try await get(base + "/healthz").0 == 200 ? true : nil }
        try await eventually(timeout: .seconds(30), "serve to mark fault unreachable") { () -> Bool? in
            let (status, body) = try await get(base + "/api/v1/clusters/fault")
            return status == 200 && body.contains("\"reachable\":false") && body.contains("refused") ? true : nil
        }
        let (page, overview) = try await get(base + "/")
        #expect(page == 200)
        #expect(overview.contains("Cluster <strong>fault</strong> is unreachable"))
        #expect(try await get(base + "/api/v1/clusters/alpha").1.contains("\"reachable\":true"), "the other clusters are served as usual")

        // 3. The worker returns: serve sees it, and apply again converges without duplicates.
        try await stack.startWorker("fault", 1)
        try await eventually(timeout: .seconds(60), "serve to see fault again") { () -> Bool? in
            try await get(base + "/api/v1/clusters/fault").1.contains("\"reachable\":true") ? true : nil
        }
        let again = try await catalog.run("apply", "--auto-approve", "--timeout", "30")
        #expect(again.status == 0, "\(again.all)")
        #expect(try await catalog.plan().1 == 0, "converged")
        let present = try await fault.connectorNames().filter { $0.hasPrefix("\(catalog.team)_") }.sorted()
        #expect(present == names.map { "\(catalog.team)_\($0)" }, "each connector once")
        try await eventually(timeout: .seconds(30), "serve to list the connectors") { () -> Bool? in
            try await get(base + "/api/v1/connectors?cluster=fault&limit=1000").1.contains("\(catalog.team)_c6") ? true : nil
        }
        #expect(!serve.logTail(10_000).joined().contains(Self.planted), "serve's log holds no secret")

        // Clean up the cluster for the next run.
        try FileManager.default.removeItem(at: catalog.folder.root.appendingPathComponent("teams/\(catalog.team)/connectors"))
        _ = try await catalog.run("apply", "--auto-approve", "--allow-mass-delete")
    }

    @Test func anArtifactStoreThatDiesMidDownloadLeavesTheDestinationAsItWas() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("store-death-\(UUID().uuidString)")
        let storeRoot = scratch.appendingPathComponent("store")
        let token = "store-token-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(at: storeRoot, withIntermediateDirectories: true)
        // Two versions of one plugin: v1 installs from a fast server; v2 comes from a slow one that is killed.
        var entries: [(String, String)] = []
        for (version, size) in [("1", 100_000), ("2", 3_000_000)] {
            let file = storeRoot.appendingPathComponent("slow/\(version)/slow-\(version).zip")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try await ArchiveBuilder.write([("lib/slow.jar", "@random:\(size)")], to: file)
            let sha = try await ShellCommand.run("/usr/bin/sha256sum", [file.path]).output.prefix(64)
            entries.append((version, String(sha)))
        }
        func manifest(_ version: Int, _ server: ArtifactServer) -> String {
            """
            store:
              url: \(server.baseURL)
              bearerTokenEnv: STORE_TOKEN
            artifacts:
              - name: slow
                version: "\(version)"
                type: zip
                source: https://example.invalid/slow.zip
                sha256: \(entries[version - 1].1)
            clusters:
              fault: [slow]
            """
        }
        let destination = scratch.appendingPathComponent("plugins")
        let manifestFile = scratch.appendingPathComponent("plugins.yaml")
        let fast = try await ArtifactServer.start(root: storeRoot, token: token)
        try manifest(1, fast).write(to: manifestFile, atomically: true, encoding: .utf8)
        let first = try await CLI.run(["plugins", "install", "--manifest", manifestFile.path, "--cluster", "fault", "--dest", destination.path], environment: ["STORE_TOKEN": token])
        fast.stop()
        #expect(first.status == 0, "\(first.all)")
        let before = try snapshot(destination)
        #expect(before.keys.contains("slow/lib/slow.jar"))

        let slow = try await ArtifactServer.start(root: storeRoot, token: token, bytesPerSecond: 200_000)
        try manifest(2, slow).write(to: manifestFile, atomically: true, encoding: .utf8)
        let install = Task { try await CLI.run(["plugins", "install", "--manifest", manifestFile.path, "--cluster", "fault", "--dest", destination.path, "--timeout", "5"], environment: ["STORE_TOKEN": token]) }
        try await eventually(timeout: .seconds(30), every: .milliseconds(100), "the download to start") { () -> Bool? in
            let staged = try FileManager.default.contentsOfDirectory(atPath: destination.path).first { $0.hasPrefix(".switchboard-staging-") }
            guard let staged else { return nil }
            let partial = destination.appendingPathComponent(staged).appendingPathComponent("slow.download")
            let size = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int) ?? 0  // not there yet: keep waiting
            return size > 100_000 ? true : nil
        }
        slow.kill()
        let result = try await install.value
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("Artifact slow") && result.stderr.contains("Nothing was changed"), "\(result.stderr)")
        #expect(!result.all.contains(token), "the store's token is never printed")
        #expect(try snapshot(destination) == before, "the destination is byte for byte as it was")
    }

    // MARK: helpers

    /// Every file below `folder` with its bytes.
    func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: folder.path)
        while let path = walker?.nextObject() as? String {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isFolder)
            if !isFolder.boolValue { files[path] = try Data(contentsOf: folder.appendingPathComponent(path)) }
        }
        return files
    }

    /// `switchboard serve` as its own process, trusting proxy headers from loopback.
    func startServe(_ catalog: LiveCatalog, port: Int) async throws -> Daemon {
        let folder = catalog.data.appendingPathComponent("serve")
        let daemon = Daemon(name: "serve", directory: folder, file: "serve")
        var arguments = catalog.environment.map { "\($0.key)=\($0.value)" }
        arguments += [CLI.executable.path, "serve", "--catalog", catalog.root, "--port", String(port), "--poll-interval", "1", "--timeout", "3",
                      "--trusted-proxy", "127.0.0.1", "--audit-db", folder.appendingPathComponent("audit.sqlite").path]
        try await daemon.start("/usr/bin/env", arguments)
        return daemon
    }

    /// GET as the proxied user alice; returns the status and body.
    func get(_ url: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "X-Forwarded-User", value: "alice")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
