import Crypto
import Foundation
import SwitchboardCore
import SwitchboardMonitoring
import Yams

/// The kustomize base of one Connect cluster: workers in distributed mode whose plugin.path an
/// init container fills with exactly the cluster's plugin set, and what runs and watches them.
struct ConnectClusterManifests {
    let cluster: ClusterDefinition
    let catalog: Catalog
    var settings: KubernetesSettings { cluster.kubernetes }

    /// Paths inside the worker pod; `render kubernetes` and the test that replays a pod use them.
    enum Paths {
        static let pluginPath = "/opt/connect/plugins"
        static let pluginSet = "/etc/switchboard/plugins"
        static let workerConfig = "/etc/connect"
        static let jmxConfig = "/etc/jmx-exporter"
        static let secrets = "/etc/connect/secrets"
        static let restPort = 8083
        static let metricsPort = 9404
    }

    var name: String { "\(cluster.name)-connect" }
    var selector: Node { ["app.kubernetes.io/name": "kafka-connect", "app.kubernetes.io/instance": YAMLWriter.text(cluster.name)] }
    var labels: Node {
        ["app.kubernetes.io/name": "kafka-connect", "app.kubernetes.io/instance": YAMLWriter.text(cluster.name),
         "app.kubernetes.io/managed-by": "switchboard", "switchboard.dev/cluster": YAMLWriter.text(cluster.name)]
    }

    func metadata(_ name: String) -> Node {
        ["name": YAMLWriter.text(name), "labels": labels]
    }

    /// File name -> contents.
    func files() throws -> [String: String] {
        let properties = workerProperties(), plugins = try pluginSet(), jmxRules = try MonitoringRenderer.jmxExporterRules()
        var files: [String: String] = [
            "worker-config.yaml": try YAMLWriter.document(configMap("\(name)-worker", ["worker.properties": properties])),
            "plugin-set.yaml": try YAMLWriter.document(configMap("\(name)-plugins", ["plugins.yaml": plugins])),
            "jmx-exporter.yaml": try YAMLWriter.document(configMap("\(name)-jmx-exporter", ["kafka-connect.yml": jmxRules])),
            "deployment.yaml": try YAMLWriter.document(deployment(workerProperties: properties, pluginSet: plugins, jmxRules: jmxRules)),
            "service.yaml": try YAMLWriter.document(service()),
            "pdb.yaml": try YAMLWriter.document(podDisruptionBudget()),
            "hpa.yaml": try YAMLWriter.document(horizontalPodAutoscaler()),
        ]
        if settings.prometheusOperator {
            files["servicemonitor.yaml"] = try YAMLWriter.document(serviceMonitor())
            files["prometheusrule.yaml"] = try YAMLWriter.document(prometheusRule())
        }
        files["kustomization.yaml"] = try YAMLWriter.document([
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": YAMLWriter.text(settings.namespace),
            "resources": .sequence(Node.Sequence(files.keys.sorted().map { Node($0) })),
        ])
        return files
    }

    // MARK: Configuration

    /// The worker configuration. Group and topic names come from the cluster name; the REST
    /// address each worker advertises is its pod IP, read by Connect's own env config provider.
    func workerProperties() -> String {
        guard let kafka = cluster.kafka else { return "" }
        let replication = settings.replicationFactor
        var properties: [(String, String)] = [
            ("bootstrap.servers", kafka.bootstrapServers),
            ("group.id", "connect-\(cluster.name)"),
            ("config.storage.topic", "connect-\(cluster.name)-configs"),
            ("offset.storage.topic", "connect-\(cluster.name)-offsets"),
            ("status.storage.topic", "connect-\(cluster.name)-status"),
            ("config.storage.replication.factor", "\(replication)"),
            ("offset.storage.replication.factor", "\(replication)"),
            ("status.storage.replication.factor", "\(replication)"),
            ("key.converter", "org.apache.kafka.connect.json.JsonConverter"),
            ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
            ("listeners", "http://0.0.0.0:\(Paths.restPort)"),
            ("rest.advertised.host.name", "${env:POD_IP}"),
            ("rest.advertised.port", "\(Paths.restPort)"),
            ("plugin.path", Paths.pluginPath),
            ("plugin.discovery", "service_load"),
            ("config.providers", "env,file"),
            ("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider"),
            ("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"),
        ]
        // The worker's own clients and those of its connectors (producer., consumer., admin.).
        var security: [(String, String)] = []
        if let protocolName = kafka.securityProtocol { security.append(("security.protocol", protocolName)) }
        if let mechanism = kafka.saslMechanism {
            security.append(("sasl.mechanism", mechanism))
            let module = mechanism.hasPrefix("SCRAM") ? "org.apache.kafka.common.security.scram.ScramLoginModule" : "org.apache.kafka.common.security.plain.PlainLoginModule"
            if let user = kafka.saslUsername, let variable = kafka.saslPasswordEnv {
                security.append(("sasl.jaas.config", "\(module) required username=\"\(user)\" password=\"${env:\(variable)}\";"))
            }
        }
        properties += security
        for prefix in ["producer.", "consumer.", "admin."] {
            properties += security.map { (prefix + $0.0, $0.1) }
        }
        let fixed = Set(properties.map(\.0))
        properties += settings.workerConfig.filter { !fixed.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "# Rendered by `switchboard render kubernetes` for cluster \(cluster.name).\n"
            + properties.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
    }

    /// plugins.yaml reduced to this cluster's set, with the store as the pods reach it. Its
    /// checksum rolls the workers when the set changes.
    func pluginSet() throws -> String {
        let manifest = catalog.plugins ?? PluginManifest(store: nil, builtinClasses: [], artifacts: [], clusterSets: [:])
        let artifacts = manifest.artifacts(for: cluster.name)
        guard let storeURL = settings.pluginStore ?? manifest.store?.url else {
            if artifacts.isEmpty { return try pluginSetYAML(manifest, store: nil, artifacts: []) }
            throw KubernetesRenderer.Problem("cluster '\(cluster.name)' runs plugin artifacts, but neither kubernetes.pluginStore in switchboard.yaml nor store.url in plugins.yaml says where the pods fetch them.")
        }
        guard storeURL.hasPrefix("http://") || storeURL.hasPrefix("https://") || storeURL.hasPrefix("file:///") else {
            throw KubernetesRenderer.Problem("cluster '\(cluster.name)': the artifact store '\(storeURL)' is a path on this machine, which the pods cannot reach. Set kubernetes.pluginStore in switchboard.yaml to the store's URL, for example https://artifactory.example.com/artifactory/connect-plugins.")
        }
        return try pluginSetYAML(manifest, store: storeURL, artifacts: artifacts)
    }

    func pluginSetYAML(_ manifest: PluginManifest, store url: String?, artifacts: [PluginArtifact]) throws -> String {
        var root: [(Node, Node)] = []
        if let url {
            var store: [(Node, Node)] = [("url", YAMLWriter.text(url))]
            if let variable = manifest.store?.bearerTokenEnv { store.append(("bearerTokenEnv", YAMLWriter.text(variable))) }
            if let user = manifest.store?.username { store.append(("username", YAMLWriter.text(user))) }
            if let variable = manifest.store?.passwordEnv { store.append(("passwordEnv", YAMLWriter.text(variable))) }
            root.append(("store", .mapping(Node.Mapping(store))))
        }
        root.append(("builtinClasses", .sequence(Node.Sequence(manifest.builtinClasses.map(YAMLWriter.text)))))
        root.append(("artifacts", .sequence(Node.Sequence(artifacts.map { artifact in
            [
                "name": YAMLWriter.text(artifact.name), "version": YAMLWriter.text(artifact.version),
                "type": YAMLWriter.text(artifact.kind.rawValue), "source": YAMLWriter.text(artifact.source),
                "sha256": YAMLWriter.text(artifact.sha256),
                "classes": .sequence(Node.Sequence(artifact.classes.map(YAMLWriter.text))),
            ]
        }))))
        root.append(("clusters", .mapping(Node.Mapping([(YAMLWriter.text(cluster.name), .sequence(Node.Sequence(artifacts.map { YAMLWriter.text($0.name) })))]))))
        return try YAMLWriter.document(.mapping(Node.Mapping(root)), header: ["The plugin set of cluster \(cluster.name), rendered by `switchboard render kubernetes`."])
    }

    func configMap(_ name: String, _ data: [String: String]) -> Node {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(name), "data": YAMLWriter.strings(data)]
    }

    // MARK: Workload

    /// The workload; the checksums of the ConfigMaps it mounts roll the workers when they change.
    func deployment(workerProperties: String, pluginSet: String, jmxRules: String) -> Node {
        let checksums: Node = [
            "switchboard.dev/plugin-set-sha256": YAMLWriter.text(KubernetesRenderer.sha256(pluginSet)),
            "switchboard.dev/worker-config-sha256": YAMLWriter.text(KubernetesRenderer.sha256(workerProperties + jmxRules)),
        ]
        return [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(name),
            // No `replicas`: the HorizontalPodAutoscaler owns the count (minReplicas is the
            // catalog's `replicas`), so that applying these files does not undo its scaling.
            "spec": [
                "selector": ["matchLabels": selector],
                // One worker at a time: each leaving worker triggers a rebalance.
                "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 0]],
                "template": [
                    "metadata": ["labels": labels, "annotations": checksums],
                    "spec": [
                        "terminationGracePeriodSeconds": 60,
                        "securityContext": ["runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000],
                        "initContainers": [installPlugins()],
                        "containers": [worker()],
                        "volumes": [
                            ["name": "plugins", "emptyDir": [:]],
                            ["name": "plugin-set", "configMap": ["name": YAMLWriter.text("\(name)-plugins")]],
                            ["name": "worker-config", "configMap": ["name": YAMLWriter.text("\(name)-worker")]],
                            ["name": "jmx-exporter", "configMap": ["name": YAMLWriter.text("\(name)-jmx-exporter")]],
                            // Connector secrets, for `${file:/etc/connect/secrets/<file>:<key>}` references.
                            ["name": "connector-secrets", "secret": ["secretName": YAMLWriter.text("\(name)-secrets"), "optional": true]],
                        ],
                    ],
                ],
            ],
        ]
    }

    /// The init container: `switchboard plugins install` of this cluster's set from the store.
    func installPlugins() -> Node {
        var env: [Node] = []
        let store = catalog.plugins?.store
        for (variable, key) in [(store?.bearerTokenEnv, "token"), (store?.passwordEnv, "password")] {
            guard let variable else { continue }
            env.append(secretEnv(variable, secret: "switchboard-artifact-store", key: key))
        }
        return [
            "name": "install-plugins",
            "image": YAMLWriter.text(settings.switchboardImage),
            "command": .sequence(Node.Sequence(KubernetesRenderer.installCommand(cluster: cluster.name).map(YAMLWriter.text))),
            "env": .sequence(Node.Sequence(env)),
            "volumeMounts": [
                ["name": "plugins", "mountPath": YAMLWriter.text(Paths.pluginPath)],
                ["name": "plugin-set", "mountPath": YAMLWriter.text(Paths.pluginSet), "readOnly": true],
            ],
            "resources": ["requests": ["cpu": "100m", "memory": "64Mi"], "limits": ["memory": "256Mi"]],
            "securityContext": ["allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true],
        ]
    }

    func worker() -> Node {
        var env: [Node] = [
            ["name": "POD_IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]],
            ["name": "KAFKA_HEAP_OPTS", "value": YAMLWriter.text("-Xms\(settings.heap) -Xmx\(settings.heap)")],
            ["name": "KAFKA_OPTS", "value": YAMLWriter.text("-javaagent:\(settings.jmxExporterAgent)=\(Paths.metricsPort):\(Paths.jmxConfig)/kafka-connect.yml")],
        ]
        if let variable = cluster.kafka?.saslPasswordEnv {
            env.append(secretEnv(variable, secret: "\(name)-kafka", key: "password", optional: false))
        }
        let health: Node = ["path": "/health", "port": "rest"]
        return [
            "name": "connect",
            "image": YAMLWriter.text(settings.connectImage),
            "command": .sequence(Node.Sequence(KubernetesRenderer.workerCommand.map(YAMLWriter.text))),
            "ports": [
                ["name": "rest", "containerPort": YAMLWriter.number(Paths.restPort)],
                ["name": "metrics", "containerPort": YAMLWriter.number(Paths.metricsPort)],
            ],
            "env": .sequence(Node.Sequence(env)),
            // Starting loads every plugin and joins the group: up to 5 minutes before liveness counts.
            "startupProbe": ["httpGet": health, "periodSeconds": 10, "failureThreshold": 30],
            "readinessProbe": ["httpGet": health, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3],
            "livenessProbe": ["httpGet": health, "periodSeconds": 20, "timeoutSeconds": 10, "failureThreshold": 6],
            "resources": [
                "requests": ["cpu": YAMLWriter.text(settings.cpu), "memory": YAMLWriter.text(settings.memory)],
                "limits": ["memory": YAMLWriter.text(settings.memory)],
            ],
            "volumeMounts": [
                ["name": "plugins", "mountPath": YAMLWriter.text(Paths.pluginPath), "readOnly": true],
                ["name": "worker-config", "mountPath": YAMLWriter.text(Paths.workerConfig), "readOnly": true],
                ["name": "jmx-exporter", "mountPath": YAMLWriter.text(Paths.jmxConfig), "readOnly": true],
                ["name": "connector-secrets", "mountPath": YAMLWriter.text(Paths.secrets), "readOnly": true],
            ],
            "securityContext": ["allowPrivilegeEscalation": false],
        ]
    }

    func secretEnv(_ variable: String, secret: String, key: String, optional: Bool = true) -> Node {
        ["name": YAMLWriter.text(variable), "valueFrom": ["secretKeyRef": ["name": YAMLWriter.text(secret), "key": YAMLWriter.text(key), "optional": Node(booleanLiteral: optional)]]]
    }

    // MARK: Around the workload

    func service() -> Node {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": metadata(name),
            "spec": [
                "selector": selector,
                "ports": [
                    ["name": "rest", "port": YAMLWriter.number(Paths.restPort), "targetPort": "rest"],
                    ["name": "metrics", "port": YAMLWriter.number(Paths.metricsPort), "targetPort": "metrics"],
                ],
            ],
        ]
    }

    func podDisruptionBudget() -> Node {
        ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata(name),
         "spec": ["maxUnavailable": 1, "selector": ["matchLabels": selector]]]
    }

    func horizontalPodAutoscaler() -> Node {
        [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata(name),
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": YAMLWriter.text(name)],
                "minReplicas": YAMLWriter.number(settings.replicas),
                "maxReplicas": YAMLWriter.number(settings.maxReplicas),
                "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": YAMLWriter.number(settings.targetCPUUtilization)]]]],
                // Every change of the worker count rebalances the cluster: scale down slowly.
                "behavior": ["scaleDown": ["stabilizationWindowSeconds": 600, "policies": [["type": "Pods", "value": 1, "periodSeconds": 300]]]],
            ],
        ]
    }

    func serviceMonitor() -> Node {
        [
            "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": metadata(name),
            "spec": [
                "selector": ["matchLabels": selector],
                "endpoints": [[
                    "port": "metrics", "interval": "30s",
                    // Every series of the cluster carries its name, as the alert rules expect.
                    "relabelings": [["targetLabel": "cluster", "replacement": YAMLWriter.text(cluster.name)]],
                ]],
            ],
        ]
    }

    func prometheusRule() -> Node {
        let forDuration = YAMLWriter.text(catalog.alerting.forDuration)
        let match = "cluster=\"\(cluster.name)\""
        return [
            "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": metadata(name),
            "spec": ["groups": [[
                "name": YAMLWriter.text("kafka-connect-\(cluster.name)"),
                "rules": [
                    ["alert": "KafkaConnectConnectorFailed", "expr": YAMLWriter.text("kafka_connect_connector_status{\(match),status=\"failed\"} == 1"), "for": forDuration,
                     "labels": ["severity": "critical"],
                     "annotations": ["summary": "Connector {{ $labels.connector }} on {{ $labels.cluster }} has failed (JMX)"]],
                    ["alert": "KafkaConnectTaskFailed", "expr": YAMLWriter.text("kafka_connect_connector_task_status{\(match),status=\"failed\"} == 1"), "for": forDuration,
                     "labels": ["severity": "critical"],
                     "annotations": ["summary": "Task {{ $labels.task }} of {{ $labels.connector }} on {{ $labels.cluster }} has failed (JMX)"]],
                    ["alert": "KafkaConnectWorkerDown", "expr": YAMLWriter.text("up{\(match)} == 0"), "for": "5m",
                     "labels": ["severity": "critical", "team": "platform"],
                     "annotations": ["summary": "A Connect worker of {{ $labels.cluster }} does not answer scrapes"]],
                ],
            ]]],
        ]
    }
}
