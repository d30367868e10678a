import Foundation
import Hummingbird
import SwitchboardCore

/// What is served without signing in: the stylesheet, Prometheus metrics, the health check and
/// the API's description.
struct ResourceRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        router.get("/assets/switchboard.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css", .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: Layout.stylesheet)))
        }
        // Prometheus exposition; unauthenticated like most scrape targets (it holds names and
        // states, never config values): restrict it by network if needed.
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: dependencies.store.metrics.emit())))
        }
        router.get("/healthz") { _, _ in
            let age = Int(Date().timeIntervalSince(dependencies.store.current.takenAt))
            return try Responses.json(["status": "ok", "snapshotAgeSeconds": "\(age)"])
        }
        router.get("/api/openapi.json") { _, _ in
            try Responses.json(OpenAPIDocument.standard)
        }
    }
}
