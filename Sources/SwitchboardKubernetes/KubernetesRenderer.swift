import Crypto
import Foundation
import SwitchboardCore
import SwitchboardMonitoring

/// Renders Kubernetes manifests from the catalog, as kustomize bases:
///
/// - `clusters/<cluster>/`: the Connect workers of one cluster in distributed mode (a Deployment
///   whose init container runs `switchboard plugins install` for the cluster's set, ConfigMaps of
///   the worker config, the plugin set and the JMX exporter rules, a Service, a
///   PodDisruptionBudget, a HorizontalPodAutoscaler and, with the Prometheus operator, a
///   ServiceMonitor and a PrometheusRule);
/// - `switchboard/`: the Switchboard server;
/// - `kustomization.yaml`: all of them.
///
/// Pure: it returns file contents; the CLI writes them.
public struct KubernetesRenderer {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Relative path -> contents.
    public func render() throws -> [String: String] {
        var files: [String: String] = [:]
        for cluster in catalog.clusters {
            guard cluster.kafka != nil else {
                throw Problem("cluster '\(cluster.name)' has no `kafka: {bootstrapServers: ...}` in switchboard.yaml; its workers need the broker's address.")
            }
            for (name, text) in try ConnectClusterManifests(cluster: cluster, catalog: catalog).files() {
                files["clusters/\(cluster.name)/\(name)"] = text
            }
        }
        for (name, text) in try ServerManifests(catalog: catalog).files() {
            files["switchboard/\(name)"] = text
        }
        files["kustomization.yaml"] = try YAMLWriter.document([
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": .sequence(.init((catalog.clusters.map { "clusters/\($0.name)" } + ["switchboard"]).map(YAMLWriter.text))),
        ])
        return files
    }

    /// The init container's command line.
    public static func installCommand(cluster: String) -> [String] {
        typealias Paths = ConnectClusterManifests.Paths
        return ["switchboard", "plugins", "install", "--manifest", "\(Paths.pluginSet)/plugins.yaml", "--cluster", cluster, "--dest", Paths.pluginPath]
    }

    /// The worker container's command line.
    public static let workerCommand = ["/opt/kafka/bin/connect-distributed.sh", "\(ConnectClusterManifests.Paths.workerConfig)/worker.properties"]

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
