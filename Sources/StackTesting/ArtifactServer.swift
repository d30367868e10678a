import Foundation
import TestSupport
import LocalStack

/// A real HTTP artifact repository on loopback, in the Artifactory/Nexus style (GET, HEAD, PUT
/// under a base path, bearer-token auth), for tests and benchmarks of `plugins mirror` and
/// `plugins install`. Python's standard library serves it (scripts/artifact-server.py, also used
/// by bench/plugins.sh), as a process of its own.
public struct ArtifactServer: Sendable {
    public let port: Int
    public let root: URL
    public let token: String
    let daemon: Daemon

    /// `http://127.0.0.1:<port>/artifactory/plugins`.
    public var baseURL: String { "http://127.0.0.1:\(port)/artifactory/plugins" }

    /// Starts a server storing files under `root`; requests need `Authorization: Bearer <token>`.
    /// With `bytesPerSecond`, bodies are sent at that rate.
    public static func start(root: URL, token: String, bytesPerSecond: Int? = nil) async throws -> ArtifactServer {
        let folder = root.deletingLastPathComponent().appendingPathComponent("\(root.lastPathComponent)-server")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let script = TestStack.projectRoot.appendingPathComponent("scripts/artifact-server.py")
        let port = PortProbe.ephemeral()
        let daemon = Daemon(name: "artifact server", directory: folder, file: "server")
        let pid = try await daemon.start("/usr/bin/env", ["python3", script.path, String(port), root.path, token] + (bytesPerSecond.map { [String($0)] } ?? []))
        let server = ArtifactServer(port: port, root: root, token: token, daemon: daemon)
        try await eventually(timeout: .seconds(20), "the artifact server on \(port)") {
            guard Daemon.isAlive(pid) else { throw TimeoutError(what: "artifact server exited: \(daemon.logTail())", timeout: .zero, lastError: nil) }
            return PortProbe.accepts(port) ? true : nil
        }
        return server
    }

    public func stop() {
        daemon.stop(grace: 5)
    }

    /// Kills the server at once, as a crash would.
    public func kill() {
        daemon.kill9()
    }

}
