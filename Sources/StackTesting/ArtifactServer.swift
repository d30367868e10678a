import Foundation
import LocalStack

/// A real HTTP artifact repository on loopback, in the Artifactory/Nexus style (GET, HEAD, PUT
/// under a base path, bearer-token auth), for tests and benchmarks of `plugins mirror` and
/// `plugins install`. Python's standard library serves it, as a process of its own.
public struct ArtifactServer: Sendable {
    public let port: Int
    public let root: URL
    public let token: String
    let daemon: Daemon

    /// `http://127.0.0.1:<port>/artifactory/plugins`.
    public var baseURL: String { "http://127.0.0.1:\(port)/artifactory/plugins" }

    /// Starts a server storing files under `root`; requests need `Authorization: Bearer <token>`.
    public static func start(root: URL, token: String) async throws -> ArtifactServer {
        let folder = root.deletingLastPathComponent().appendingPathComponent("\(root.lastPathComponent)-server")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("artifact_server.py")
        try source.write(to: script, atomically: true, encoding: .utf8)
        let port = PortProbe.ephemeral()
        let daemon = Daemon(name: "artifact server", directory: folder, file: "server")
        let pid = try await daemon.start("/usr/bin/env", ["python3", script.path, String(port), root.path, token])
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

    static let source = #"""
    import os, sys, tempfile
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

    PORT, ROOT, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    PREFIX = "/artifactory/plugins/"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def target(self):
            if not self.path.startswith(PREFIX):
                return None
            relative = self.path[len(PREFIX):].split("?")[0]
            full = os.path.realpath(os.path.join(ROOT, relative))
            return full if full.startswith(os.path.realpath(ROOT) + os.sep) else None

        def authorized(self):
            if self.headers.get("Authorization") == "Bearer " + TOKEN:
                return True
            self.send_response(401)
            self.send_header("WWW-Authenticate", "Bearer")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False

        def missing(self):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self):
            self.get(body=False)

        def do_GET(self):
            self.get(body=True)

        def get(self, body):
            if not self.authorized():
                return
            path = self.target()
            if path is None or not os.path.isfile(path):
                return self.missing()
            size = os.path.getsize(path)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if body:
                with open(path, "rb") as f:
                    while True:
                        chunk = f.read(1 << 20)
                        if not chunk:
                            break
                        self.wfile.write(chunk)

        def do_PUT(self):
            if not self.authorized():
                return
            path = self.target()
            if path is None:
                return self.missing()
            length = int(self.headers.get("Content-Length", "0"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, partial = tempfile.mkstemp(dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as f:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    f.write(chunk)
                    remaining -= len(chunk)
            os.replace(partial, path)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
    """#
}
