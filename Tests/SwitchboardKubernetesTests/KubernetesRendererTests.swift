import Foundation
import TestSupport
import SwitchboardCore
@testable import SwitchboardKubernetes
import Testing
import Yams

@Suite struct KubernetesRendererTests {
    static let plugins = """
        store:
          url: ../store
          bearerTokenEnv: STORE_TOKEN
        builtinClasses: [org.apache.kafka.connect.file.FileStreamSinkConnector]
        artifacts:
          - name: debezium-postgres
            version: 3.0.7.Final
            type: zip
            source: artifacts/debezium.zip
            sha256: 999bc07bbd6a7c026e0841808d7a61f995bbd9903c22181a4f09200f32d9bc63
            classes: [io.debezium.connector.postgresql.PostgresConnector]
          - name: extra
            version: "1.0"
            type: jar
            source: artifacts/extra.jar
            sha256: 1111111111111111111111111111111111111111111111111111111111111111
            classes: [com.example.ExtraConnector]
        clusters:
          ingest: [debezium-postgres]
          analytics: []
        """

    static func switchboardYAML(kubernetes: String = "kubernetes:\n  pluginStore: https://artifacts.example.com/connect\n  prometheusOperator: true\n", ingest: String = "") -> String {
        """
        \(kubernetes)clusters:
          - name: ingest
            url: http://ingest-connect:8083
            kafka:
              bootstrapServers: kafka-0.kafka:9092,kafka-1.kafka:9092
              securityProtocol: SASL_SSL
              saslMechanism: SCRAM-SHA-512
              saslUsername: connect-ingest
              saslPasswordEnv: KAFKA_PASSWORD
        \(ingest)  - name: analytics
            url: http://analytics-connect:8083
            kafka:
              bootstrapServers: kafka:9092
            kubernetes:
              namespace: analytics
              replicas: 2
              maxReplicas: 4
              heap: 768m
              replicationFactor: 1
              prometheusOperator: false
        """
    }

    func render(_ files: [String: String]) throws -> [String: String] {
        let folder = try CatalogFolder(files)
        return try KubernetesRenderer(catalog: try CatalogLoader.loadChecked(from: folder.root)).render()
    }

    func object(_ text: String?) throws -> Node {
        let text = try #require(text)
        return try #require(try Yams.compose(yaml: text))
    }

    @Test func everyClusterGetsAKustomizeBaseOfItsWorkersAndWhatWatchesThem() throws {
        let files = try render(["switchboard.yaml": Self.switchboardYAML(), "plugins.yaml": Self.plugins, "teams/payments/team.yaml": "members: [alice]\n"])
        #expect(Set(files.keys.filter { $0.hasPrefix("clusters/ingest/") }) == Set([
            "deployment.yaml", "service.yaml", "pdb.yaml", "hpa.yaml", "worker-config.yaml", "plugin-set.yaml", "jmx-exporter.yaml",
            "servicemonitor.yaml", "prometheusrule.yaml", "kustomization.yaml",
        ].map { "clusters/ingest/\($0)" }))
        #expect(files["clusters/analytics/servicemonitor.yaml"] == nil, "the cluster turned the operator's resources off")
        #expect(files["switchboard/catalog.yaml"]?.contains("teams__payments__team.yaml") == true)

        let deployment = try object(files["clusters/ingest/deployment.yaml"])
        let pod = try #require(deployment["spec"]?["template"]?["spec"])
        #expect(deployment["spec"]?["replicas"] == nil, "the autoscaler owns the replica count")
        let initContainer = try #require(pod["initContainers"]?[0])
        #expect(initContainer["command"]?.array(of: String.self) == ["switchboard", "plugins", "install", "--manifest", "/etc/switchboard/plugins/plugins.yaml", "--cluster", "ingest", "--dest", "/opt/connect/plugins"])
        #expect(initContainer["env"]?[0]?["valueFrom"]?["secretKeyRef"]?["name"]?.string == "switchboard-artifact-store")
        let worker = try #require(pod["containers"]?[0])
        #expect(worker["readinessProbe"]?["httpGet"]?["path"]?.string == "/health")
        #expect(worker["livenessProbe"]?["httpGet"]?["path"]?.string == "/health")
        let env = Dictionary(uniqueKeysWithValues: (worker["env"]?.sequence ?? []).compactMap { entry in entry["name"]?.string.map { ($0, entry) } })
        #expect(env["POD_IP"]?["valueFrom"]?["fieldRef"]?["fieldPath"]?.string == "status.podIP")
        #expect(env["KAFKA_OPTS"]?["value"]?.string?.contains("-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:/etc/jmx-exporter/kafka-connect.yml") == true)
        #expect(env["KAFKA_PASSWORD"]?["valueFrom"]?["secretKeyRef"]?["name"]?.string == "ingest-connect-kafka")
        #expect(deployment["spec"]?["template"]?["metadata"]?["annotations"]?["switchboard.dev/plugin-set-sha256"]?.string?.count == 64)

        let properties = try #require(try object(files["clusters/ingest/worker-config.yaml"])["data"]?["worker.properties"]?.string)
        for line in ["group.id=connect-ingest", "config.storage.topic=connect-ingest-configs", "rest.advertised.host.name=${env:POD_IP}",
                     "plugin.path=/opt/connect/plugins", "bootstrap.servers=kafka-0.kafka:9092,kafka-1.kafka:9092", "config.storage.replication.factor=3",
                     "producer.security.protocol=SASL_SSL", #"consumer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="connect-ingest" password="${env:KAFKA_PASSWORD}";"#] {
            #expect(properties.contains(line + "\n"), "\(line)")
        }
        let set = try #require(try object(files["clusters/ingest/plugin-set.yaml"])["data"]?["plugins.yaml"]?.string)
        #expect(set.contains("url: https://artifacts.example.com/connect"))
        #expect(set.contains("debezium-postgres") && !set.contains("com.example.ExtraConnector"), "only the cluster's own set")

        let hpa = try object(files["clusters/analytics/hpa.yaml"])
        #expect(hpa["spec"]?["minReplicas"]?.int == 2 && hpa["spec"]?["maxReplicas"]?.int == 4)
        #expect(try object(files["clusters/analytics/kustomization.yaml"])["namespace"]?.string == "analytics")
        let analytics = try #require(try object(files["clusters/analytics/deployment.yaml"])["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"])
        #expect(analytics.sequence?.contains { $0["value"]?.string == "-Xms768m -Xmx768m" } == true)
        #expect(try object(files["kustomization.yaml"])["resources"]?.array(of: String.self) == ["clusters/ingest", "clusters/analytics", "switchboard"])
    }

    @Test func theServerRunsTwoReplicasOnlyWithADatabase() throws {
        let single = try render(["switchboard.yaml": Self.switchboardYAML(), "plugins.yaml": Self.plugins])
        let one = try object(single["switchboard/deployment.yaml"])
        #expect(one["spec"]?["replicas"] == 1 && one["spec"]?["strategy"]?["type"] == "Recreate")
        #expect(single["switchboard/audit-volume.yaml"] != nil)
        #expect(single["switchboard/deployment.yaml"]?.contains("--audit-db") == true)

        let shared = try render(["switchboard.yaml": Self.switchboardYAML(kubernetes: "kubernetes:\n  pluginStore: https://artifacts.example.com/connect\n  serverDatabaseSecret: switchboard-db\n"), "plugins.yaml": Self.plugins])
        let two = try object(shared["switchboard/deployment.yaml"])
        #expect(two["spec"]?["replicas"] == 2 && two["spec"]?["strategy"]?["type"] == "RollingUpdate")
        #expect(shared["switchboard/audit-volume.yaml"] == nil, "no SQLite volume")
        #expect(try object(shared["switchboard/kustomization.yaml"])["resources"]?.array(of: String.self).contains("audit-volume.yaml") == false)
        let text = try #require(shared["switchboard/deployment.yaml"])
        #expect(!text.contains("--audit-db"))
        #expect(text.contains("SWITCHBOARD_DATABASE") && text.contains("switchboard-db"), "the URL comes from the Secret, never the manifest")

        let folder = try CatalogFolder(["switchboard.yaml": Self.switchboardYAML(kubernetes: "kubernetes:\n  serverReplicas: 3\n")])
        let violations = CatalogLoader.load(from: folder.root).violations
        #expect(violations.contains { $0.description.contains("serverReplicas above 1 needs serverDatabaseSecret") }, "\(violations)")
    }

    @Test func thePodsGracePeriodOutlastsTheServersStopAndReadinessFailsFromItsStart() throws {
        let files = try render(["switchboard.yaml": Self.switchboardYAML(), "plugins.yaml": Self.plugins])
        let pod = try #require(try object(files["switchboard/deployment.yaml"])["spec"]?["template"]?["spec"])
        let container = try #require(pod["containers"]?[0])
        let command = try #require(container["command"]?.array(of: String.self))
        let timeout = try #require(command.firstIndex(of: "--shutdown-timeout").flatMap { Int(command[$0 + 1]) }, "\(command)")
        let grace = try #require(pod["terminationGracePeriodSeconds"]?.int)
        #expect(grace > timeout, "Kubernetes kills at \(grace) s; serve stops within \(timeout) s")
        #expect(container["readinessProbe"]?["httpGet"]?["path"]?.string == "/readyz")
        #expect(container["livenessProbe"]?["httpGet"]?["path"]?.string == "/healthz", "a stopping server is alive, not ready")
        let period = try #require(container["readinessProbe"]?["periodSeconds"]?.int)
        #expect(period * (container["readinessProbe"]?["failureThreshold"]?.int ?? 3) < timeout, "not ready well before the stop ends")
    }

    @Test func aChangedPluginSetChangesOnlyTheChecksumAnnotationOfTheWorkload() throws {
        let before = try render(["switchboard.yaml": Self.switchboardYAML(), "plugins.yaml": Self.plugins])
        let after = try render(["switchboard.yaml": Self.switchboardYAML(), "plugins.yaml": Self.plugins.replacingOccurrences(of: "ingest: [debezium-postgres]", with: "ingest: [debezium-postgres, extra]")])
        let old = try #require(before["clusters/ingest/deployment.yaml"]).split(separator: "\n")
        let new = try #require(after["clusters/ingest/deployment.yaml"]).split(separator: "\n")
        #expect(old.count == new.count)
        let changed = zip(old, new).filter { $0 != $1 }
        #expect(changed.count == 1)
        #expect(changed.first?.0.contains("switchboard.dev/plugin-set-sha256:") == true)
        #expect(before["clusters/ingest/plugin-set.yaml"] != after["clusters/ingest/plugin-set.yaml"])
        #expect(before["clusters/analytics/deployment.yaml"] == after["clusters/analytics/deployment.yaml"], "another cluster's workers do not roll")
    }

    @Test func whatThePodsCannotUseIsRefusedWithTheCluster() throws {
        let local = Self.switchboardYAML(kubernetes: "")
        let error = try #require(throws: KubernetesRenderer.Problem.self) { try render(["switchboard.yaml": local, "plugins.yaml": Self.plugins]) }
        #expect(error.description.contains("cluster 'ingest'") && error.description.contains("kubernetes.pluginStore"))

        let noKafka = "kubernetes:\n  pluginStore: https://a.example.com\nclusters:\n  - name: lonely\n    url: http://lonely:8083\n"
        let missing = try #require(throws: KubernetesRenderer.Problem.self) { try render(["switchboard.yaml": noKafka]) }
        #expect(missing.description.contains("cluster 'lonely' has no `kafka:"))
    }

    @Test func workerConfigRefusesLiteralSecretsAndUnknownKeys() throws {
        let folder = try CatalogFolder(["switchboard.yaml": Self.switchboardYAML(kubernetes: "kubernetes:\n  replica: 3\n  workerConfig:\n    ssl.keystore.password: hunter2\n    ssl.key.password: ${env:KEY_PASSWORD}\n")])
        let error = try #require(throws: CatalogError.self) { try CatalogLoader.loadChecked(from: folder.root) }
        #expect(error.description.contains("workerConfig.ssl.keystore.password holds a literal secret"))
        #expect(!error.description.contains("ssl.key.password holds"))
        #expect(error.description.contains("replica"))
        #expect(!error.description.contains("hunter2"))
    }
}
