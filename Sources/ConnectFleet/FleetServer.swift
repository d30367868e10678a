import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle

/// Serves Connect's REST API for each cluster of a ``FleetSpec``, each on its own port, with the
/// calls Switchboard makes: the bulk read, `/`, `/health`, plugins, a connector's status, config, topics and
/// offsets, restarts, pause, resume, stop. `GET /__fleet/stats` answers what was asked so far.
public enum FleetServer {
    /// The router of one cluster.
    public static func router(_ cluster: FleetCluster) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in
            cluster.count("root")
            return json(FleetCluster.encode(["version": cluster.spec.version, "commit": "8f2a0e3b1c4d5e6f", "kafka_cluster_id": "fleet-\(cluster.index)"]))
        }
        router.get("/health") { _, _ in
            cluster.count("health")
            return json(FleetCluster.encode(["status": "healthy", "message": "Worker has completed startup and is ready to handle requests."]))
        }
        router.get("/connectors") { request, _ in
            let expand = request.uri.queryParameters.getAll("expand")
            guard !expand.isEmpty else {
                cluster.count("list")
                return json(cluster.names())
            }
            cluster.count("bulk")
            return json(cluster.bulk(info: expand.contains("info"), status: expand.contains("status")))
        }
        router.get("/connector-plugins") { _, _ in
            cluster.count("plugins")
            let plugins = FleetConnector.Kind.allCases.map { ["class": $0.className, "type": $0.isSource ? "source" : "sink", "version": $0.pluginVersion] }
            return json(FleetCluster.encode(plugins))
        }
        read(router, "status", cluster.status(of:), cluster)
        read(router, "config", cluster.config(of:), cluster)
        read(router, "topics", cluster.topics(of:), cluster)
        read(router, "offsets", cluster.offsets(of:), cluster)
        router.post("/connectors/:name/restart") { _, context in
            act("restart", context, cluster, accepted: .accepted)
        }
        router.post("/connectors/:name/tasks/:task/restart") { _, context in
            act("restart", context, cluster, accepted: .noContent)
        }
        for action in ["pause", "resume", "stop"] {
            router.put("/connectors/:name/\(action)") { _, context in
                act(action, context, cluster, accepted: action == "stop" ? .noContent : .accepted)
            }
        }
        router.get("/__fleet/stats") { _, _ in
            json(FleetCluster.encode(cluster.counts))
        }
        return router
    }

    /// Runs every cluster of `spec` until the process is told to stop.
    public static func run(_ spec: FleetSpec, host: String = "127.0.0.1", logger: Logger) async throws {
        let apps: [any Service] = (0..<spec.clusters).map { index in
            let cluster = FleetCluster(spec: spec, index: index)
            return Application(router: router(cluster), configuration: .init(address: .hostname(host, port: spec.port(ofCluster: index)), serverName: "connect-fleet"),
                               logger: logger)
        }
        let group = ServiceGroup(configuration: .init(services: apps.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func read(_ router: Router<BasicRequestContext>, _ kind: String, _ answer: @escaping @Sendable (String) -> Data?, _ cluster: FleetCluster) {
        router.get("/connectors/:name/\(kind)") { _, context in
            cluster.count(kind)
            let name = context.parameters.get("name") ?? ""
            guard let body = answer(name) else { return notFound(name) }
            return json(body)
        }
    }

    static func act(_ action: String, _ context: BasicRequestContext, _ cluster: FleetCluster, accepted: HTTPResponse.Status) -> Response {
        cluster.count(action)
        let name = context.parameters.get("name") ?? ""
        guard cluster.act(action, on: name) else { return notFound(name) }
        return Response(status: accepted)
    }

    static func notFound(_ name: String) -> Response {
        json(FleetCluster.encode(["error_code": 404, "message": "Connector \(name) not found"] as [String: Any]), status: .notFound)
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
