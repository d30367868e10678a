import Foundation
import Hummingbird
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

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
            // Written part by part (each gauge family's text as kept), never joined in one buffer.
            let parts = dependencies.metrics.exposition()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(contentsOf: parts))
        }
        // Readiness: 503 from the first moment of a stop, so that a load balancer sends nothing
        // new while the controllers finish (the process still answers /healthz: it is alive).
        router.get("/readyz") { _, _ in
            if let since = dependencies.lifecycle.stoppingSince {
                return try Responses.json(["status": "stopping", "since": ISO8601DateFormatter().string(from: since)], status: .serviceUnavailable)
            }
            return try Responses.json(["status": "ready"])
        }
        router.get("/healthz") { _, _ in
            let age = Int(Date().timeIntervalSince(dependencies.store.current.takenAt))
            return try Responses.json(["status": "ok", "snapshotAgeSeconds": "\(age)"])
        }
        router.get("/api/openapi.json") { _, _ in
            switch Self.document {
            case .success(let body): Responses.json(body)
            case .failure(let failure): try Responses.error(.internalServerError, failure.description)
            }
        }
    }

    struct DocumentFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The API's description, written once: it is derived from the API's types, which do not
    /// change while the server runs. A type that cannot be described is a 500 naming it (a
    /// router test builds the document, so that never reaches a release).
    static let document: Result<ByteBuffer, DocumentFailure> = {
        do {
            return .success(ByteBuffer(data: try JSONWriter.compact(try OpenAPIDocument.standard())))
        } catch {
            return .failure(DocumentFailure(description: "the API's description cannot be built: \(error)"))
        }
    }()
}
