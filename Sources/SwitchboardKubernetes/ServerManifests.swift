import Foundation
import SwitchboardCore
import SwitchboardMonitoring
import Yams

/// The kustomize base of the Switchboard server: `switchboard serve` behind an oauth2-proxy
/// sidecar (whose user headers it trusts from 127.0.0.1 only), the catalog as a ConfigMap, and a
/// volume for the SQLite audit log.
struct ServerManifests {
    let catalog: Catalog
    var settings: KubernetesSettings { catalog.kubernetes }

    static let name = "switchboard"
    static let catalogPath = "/etc/switchboard/catalog"
    static let dataPath = "/var/lib/switchboard"
    static let port = 8080
    /// `serve --shutdown-timeout`: how long a stop may take (the pod's grace period is 5 s longer).
    static let shutdownSeconds = 10
    static let proxyPort = 4180

    var selector: Node { ["app.kubernetes.io/name": "switchboard"] }
    var labels: Node { ["app.kubernetes.io/name": "switchboard", "app.kubernetes.io/managed-by": "switchboard"] }
    func metadata(_ name: String) -> Node { ["name": YAMLWriter.text(name), "labels": labels] }

    func files() throws -> [String: String] {
        let catalogFiles = try self.catalogFiles()
        var files: [String: String] = [
            "catalog.yaml": try YAMLWriter.document([
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("switchboard-catalog"),
                "data": YAMLWriter.strings(Dictionary(uniqueKeysWithValues: catalogFiles.map { ($0.key, $0.text) })),
            ]),
            "deployment.yaml": try YAMLWriter.document(deployment(catalogFiles)),
            "service.yaml": try YAMLWriter.document(service()),
        ]
        if settings.serverDatabaseSecret == nil {
            files["audit-volume.yaml"] = try YAMLWriter.document([
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": metadata("switchboard-audit"),
                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
            ])
        }
        if settings.prometheusOperator {
            files["servicemonitor.yaml"] = try YAMLWriter.document([
                "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": metadata(Self.name),
                "spec": ["selector": ["matchLabels": selector], "endpoints": [["port": "metrics", "path": "/metrics", "interval": "15s"]]],
            ])
            // The same rules `render monitoring` writes, as the operator's resource.
            let rules = try Yams.compose(yaml: MonitoringRenderer(catalog: catalog).render()["prometheus/switchboard-alerts.yml"] ?? "")
            files["prometheusrule.yaml"] = try YAMLWriter.document([
                "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": metadata(Self.name),
                "spec": ["groups": rules?["groups"] ?? []],
            ])
        }
        files["kustomization.yaml"] = try YAMLWriter.document([
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "namespace": YAMLWriter.text(settings.namespace),
            "resources": .sequence(Node.Sequence(files.keys.sorted().map { Node($0) })),
        ])
        return files
    }

    /// The catalog's YAML files, keyed for a ConfigMap (keys cannot hold `/`) with their path.
    func catalogFiles() throws -> [(key: String, path: String, text: String)] {
        let root = catalog.root.standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [(key: String, path: String, text: String)] = []
        var keys: Set<String> = []
        for case let file as URL in walker where ["yaml", "yml"].contains(file.pathExtension) {
            let path = String(file.standardizedFileURL.path.dropFirst(root.path.count + 1))
            guard path == "switchboard.yaml" || path == CatalogLoader.pluginsFile || path.hasPrefix("teams/") else { continue }
            let key = path.replacingOccurrences(of: "/", with: "__")
            guard keys.insert(key).inserted else {
                throw KubernetesRenderer.Problem("the catalog files \(path) and another one map to the same ConfigMap key '\(key)'; rename one.")
            }
            files.append((key, path, try String(contentsOf: file, encoding: .utf8)))
        }
        return files.sorted { $0.path < $1.path }
    }

    func deployment(_ catalogFiles: [(key: String, path: String, text: String)]) throws -> Node {
        var env: [Node] = [secretEnv("SWITCHBOARD_SESSION_SECRET", secret: "switchboard", key: "session-secret")]
        for cluster in catalog.clusters {
            if let variable = cluster.basicAuth?.passwordEnv { env.append(secretEnv(variable, secret: "switchboard-connect-auth", key: "\(cluster.name)-password")) }
            if let variable = cluster.kafka?.saslPasswordEnv { env.append(secretEnv(variable, secret: "\(cluster.name)-connect-kafka", key: "password")) }
        }
        let checksum = KubernetesRenderer.sha256(catalogFiles.map { "\($0.path)\n\($0.text)" }.joined(separator: "\n"))
        // With a database: replicas share it (one runs the controllers, on a PostgreSQL lease);
        // without: one replica, the audit log one SQLite file on a ReadWriteOnce volume.
        let database = settings.serverDatabaseSecret
        if let database { env.append(secretEnv("SWITCHBOARD_DATABASE", secret: database, key: "url")) }
        let storage = database == nil ? ["--audit-db", "\(Self.dataPath)/audit.sqlite"] : []
        let serve = ["switchboard", "serve", "--catalog", Self.catalogPath, "--host", "0.0.0.0", "--port", "\(Self.port)"]
            + storage + ["--trusted-proxy", "127.0.0.1", "--secure-cookies", "--shutdown-timeout", "\(Self.shutdownSeconds)"]
        let dataVolume: Node = database == nil ? ["name": "data", "persistentVolumeClaim": ["claimName": "switchboard-audit"]] : ["name": "data", "emptyDir": [:]]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(Self.name),
            "spec": [
                "replicas": YAMLWriter.number(database == nil ? 1 : settings.serverReplicas),
                "strategy": database == nil ? ["type": "Recreate"] : ["type": "RollingUpdate"],
                "selector": ["matchLabels": selector],
                "template": [
                    "metadata": ["labels": labels, "annotations": ["switchboard.dev/catalog-sha256": YAMLWriter.text(checksum)]],
                    "spec": [
                        // serve stops within --shutdown-timeout; Kubernetes kills only after this grace.
                        "terminationGracePeriodSeconds": YAMLWriter.number(Self.shutdownSeconds + 5),
                        "securityContext": ["runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000],
                        "containers": [
                            [
                                "name": "switchboard",
                                "image": YAMLWriter.text(settings.switchboardImage),
                                "command": .sequence(Node.Sequence(serve.map(YAMLWriter.text))),
                                "ports": [["name": "metrics", "containerPort": YAMLWriter.number(Self.port)]],
                                "env": .sequence(Node.Sequence(env)),
                                // /readyz fails from the first moment of a stop; /healthz answers while the process lives.
                                "readinessProbe": ["httpGet": ["path": "/readyz", "port": "metrics"], "periodSeconds": 2, "failureThreshold": 1],
                                "livenessProbe": ["httpGet": ["path": "/healthz", "port": "metrics"], "periodSeconds": 20, "failureThreshold": 6],
                                "resources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["memory": "256Mi"]],
                                "volumeMounts": [
                                    ["name": "catalog", "mountPath": YAMLWriter.text(Self.catalogPath), "readOnly": true],
                                    ["name": "data", "mountPath": YAMLWriter.text(Self.dataPath)],
                                ],
                                "securityContext": ["allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true],
                            ],
                            [
                                // Signs users in (OIDC) and passes X-Forwarded-User, -Groups and -Email.
                                "name": "oauth2-proxy",
                                "image": YAMLWriter.text(settings.oauth2ProxyImage),
                                "args": [
                                    YAMLWriter.text("--http-address=0.0.0.0:\(Self.proxyPort)"),
                                    YAMLWriter.text("--upstream=http://127.0.0.1:\(Self.port)/"),
                                    "--pass-user-headers=true",
                                    "--skip-provider-button=true",
                                    "--reverse-proxy=true",
                                ],
                                // Provider, client id and secret, cookie secret, allowed domains.
                                "envFrom": [["secretRef": ["name": "switchboard-oauth2-proxy"]]],
                                "ports": [["name": "http", "containerPort": YAMLWriter.number(Self.proxyPort)]],
                                "readinessProbe": ["httpGet": ["path": "/ping", "port": "http"], "periodSeconds": 10],
                                "resources": ["requests": ["cpu": "50m", "memory": "32Mi"], "limits": ["memory": "128Mi"]],
                                "securityContext": ["allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true],
                            ],
                        ],
                        "volumes": [
                            ["name": "catalog", "configMap": [
                                "name": "switchboard-catalog",
                                "items": .sequence(Node.Sequence(catalogFiles.map { ["key": YAMLWriter.text($0.key), "path": YAMLWriter.text($0.path)] })),
                            ]],
                            dataVolume,
                        ],
                    ],
                ],
            ],
        ]
    }

    func service() -> Node {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": metadata(Self.name),
            "spec": [
                "selector": selector,
                "ports": [
                    ["name": "http", "port": 80, "targetPort": "http"],
                    ["name": "metrics", "port": YAMLWriter.number(Self.port), "targetPort": "metrics"],
                ],
            ],
        ]
    }

    func secretEnv(_ variable: String, secret: String, key: String) -> Node {
        ["name": YAMLWriter.text(variable), "valueFrom": ["secretKeyRef": ["name": YAMLWriter.text(secret), "key": YAMLWriter.text(key), "optional": true]]]
    }
}
