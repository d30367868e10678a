import ConnectClient
import Foundation
import LocalStack
import StackTesting
import TestSupport
import SwitchboardKubernetes
import Testing
import Yams

/// `switchboard render kubernetes` output, checked by the tools Kubernetes users check with, and
/// a pod of it replayed on this machine.
@Suite("Kubernetes manifests", .tags(.realStack), .serialized)
struct KubernetesTests {
    static var cache: URL { TestStack.shared.stack.configuration.cache }

    static func temporaryFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func render(_ catalog: String, into out: URL) async throws {
        let rendered = try await CLI.run(["render", "kubernetes", "--catalog", catalog, "--out", out.path])
        #expect(rendered.status == 0, "\(rendered.all)")
    }

    @Test func theExampleCatalogsManifestsValidateAndKustomizeBuildsThem() async throws {
        let tools = try await Prerequisites(cache: Self.cache, progress: { print("[kubernetes] \($0)") }).ensureKubernetesTools()
        let out = try Self.temporaryFolder("k8s-render")
        try await Self.render(TestStack.projectRoot.appendingPathComponent("examples/catalog").path, into: out)

        let resources = try FileManager.default.subpathsOfDirectory(atPath: out.path)
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix("kustomization.yaml") }.sorted()
        #expect(resources.count >= 20)
        let validated = try await ShellCommand.run(tools.kubernetesValidate, ["--strict", "--kubernetes-version", "1.37.0"] + resources.map { out.appendingPathComponent($0).path })
        #expect(validated.status == 0, "\(validated.output)")
        #expect(!validated.output.contains("ERROR") && !validated.output.contains("INVALID"), "\(validated.output)")
        // The Prometheus operator's kinds have no schema there; everything else does.
        let unknown = validated.output.split(separator: "\n").filter { $0.contains("Couldn't find schema") }
        #expect(unknown.allSatisfy { $0.contains("ServiceMonitor") || $0.contains("PrometheusRule") }, "\(unknown)")

        let built = try await ShellCommand.run(tools.kubectl, ["kustomize", out.path])
        #expect(built.status == 0, "\(built.output)")
        for kind in ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule"] {
            #expect(built.output.contains("kind: \(kind)\n"), "\(kind)")
        }
        #expect(built.output.contains("namespace: kafka-connect"))

        // The PrometheusRules hold rules Prometheus accepts.
        let promtool = try await Prerequisites(cache: Self.cache, progress: { _ in }).ensureMonitoring().promtool
        for file in resources where file.hasSuffix("prometheusrule.yaml") {
            let rule = try #require(try Yams.compose(yaml: String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)))
            let groups = out.appendingPathComponent(file.replacingOccurrences(of: "/", with: "-") + ".rules.yml")
            try serialize(node: ["groups": try #require(rule["spec"]?["groups"])]).write(to: groups, atomically: true, encoding: .utf8)
            let checked = try await ShellCommand.run(promtool, ["check", "rules", groups.path])
            #expect(checked.status == 0, "\(file): \(checked.output)")
        }
    }

    /// Replays a rendered worker pod here: its init container's command line, then a Connect
    /// worker with the environment and configuration the manifest gives the main container, with
    /// the pod's paths mapped to a temporary folder and its REST port to a free one.
    @Test func theInitContainerAndTheWorkerOfTheManifestRunWithExactlyTheClustersPlugins() async throws {
        let stack = try await TestStack.shared.up()
        let distribution = try await Prerequisites(cache: Self.cache, progress: { _ in }).ensure()
        let work = try Self.temporaryFolder("k8s-pod")
        let cluster = TestStack.uniqueName("kube")
        let port = 28390
        let store = stack.configuration.home.appendingPathComponent("artifact-store").absoluteString
        let bundled = Self.cache.appendingPathComponent("artifacts/debezium-postgres-3.0.7.Final.zip").path
        let sink = "org.apache.kafka.connect.file.FileStreamSinkConnector", source = "org.apache.kafka.connect.file.FileStreamSourceConnector"
        let postgres = "io.debezium.connector.postgresql.PostgresConnector"
        let catalog = try CatalogFolder([
            "switchboard.yaml": """
                kubernetes:
                  pluginStore: \(store)
                  replicationFactor: 1
                clusters:
                  - name: \(cluster)
                    url: http://127.0.0.1:\(port)
                    kafka:
                      bootstrapServers: 127.0.0.1:\(stack.configuration.brokerPort)
                """,
            "plugins.yaml": """
                store:
                  url: \(store)
                builtinClasses: [\(source), \(sink)]
                artifacts:
                  - name: debezium-postgres
                    version: 3.0.7.Final
                    type: zip
                    source: \(bundled)
                    sha256: 999bc07bbd6a7c026e0841808d7a61f995bbd9903c22181a4f09200f32d9bc63
                    classes: [\(postgres)]
                clusters:
                  \(cluster): [debezium-postgres]
                """,
        ])
        let out = work.appendingPathComponent("rendered")
        try await Self.render(catalog.root.path, into: out)
        let base = out.appendingPathComponent("clusters/\(cluster)")
        func object(_ file: String) throws -> Node {
            try #require(try Yams.compose(yaml: String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)))
        }
        let configMaps = try ["worker-config.yaml", "plugin-set.yaml", "jmx-exporter.yaml"].map(object)
        let pod = try #require(try object("deployment.yaml")["spec"]?["template"]?["spec"])
        let initContainer = try #require(pod["initContainers"]?[0]), worker = try #require(pod["containers"]?[0])

        // The pod's volumes: ConfigMaps written out, emptyDir and the optional Secret as folders.
        let root = work.appendingPathComponent("pod")
        var volumes: [String: Node] = [:]
        for volume in pod["volumes"]?.sequence ?? [] { volumes[volume["name"]?.string ?? ""] = volume }
        var mountPaths: [String] = []
        for mount in (initContainer["volumeMounts"]?.sequence ?? []) + (worker["volumeMounts"]?.sequence ?? []) {
            let path = try #require(mount["mountPath"]?.string), volume = try #require(volumes[mount["name"]?.string ?? ""])
            let folder = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            mountPaths.append(path)
            if let name = volume["configMap"]?["name"]?.string {
                let configMap = try #require(configMaps.first { $0["metadata"]?["name"]?.string == name }, "ConfigMap \(name) is rendered")
                for (key, value) in configMap["data"]?.mapping ?? [:] {
                    let file = try #require(key.string)
                    try #require(value.string).write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
                }
            }
        }
        let paths = Set(mountPaths).sorted { $0.count > $1.count }
        func mapped(_ text: String) -> String {
            paths.reduce(text) { $0.replacingOccurrences(of: $1, with: root.appendingPathComponent($1).path) }
        }

        // The init container's command line, as the manifest has it (paths mapped).
        let install = initContainer["command"]?.array(of: String.self) ?? []
        #expect(install.first == "switchboard")
        let installed = try await CLI.run(install.dropFirst().map(mapped))
        #expect(installed.status == 0, "\(installed.all)")
        #expect(installed.stdout.contains("Installed 1, unchanged 0, removed 0"), "\(installed.all)")

        // The main container: `connect-distributed.sh <worker.properties>` is `java $KAFKA_HEAP_OPTS
        // $KAFKA_OPTS -cp <Kafka's libs> ConnectDistributed <file>`. The image's classpath holds
        // the FileStream connectors and no Debezium; the JMX agent jar is part of the image, not of
        // this machine, so its -javaagent option is left out here.
        let command = worker["command"]?.array(of: String.self) ?? []
        #expect(command.first == "/opt/kafka/bin/connect-distributed.sh" && command.count == 2)
        let properties = URL(fileURLWithPath: mapped(command[1]))
        let config = try String(contentsOf: properties, encoding: .utf8)
        #expect(config.contains("listeners=http://0.0.0.0:8083\n") && config.contains("rest.advertised.port=8083\n"))
        try mapped(config).replacingOccurrences(of: "0.0.0.0:8083", with: "127.0.0.1:\(port)").replacingOccurrences(of: "rest.advertised.port=8083", with: "rest.advertised.port=\(port)")
            .write(to: properties, atomically: true, encoding: .utf8)
        var environment: [String: String] = [:]
        for entry in worker["env"]?.sequence ?? [] {
            let name = try #require(entry["name"]?.string)
            if entry["valueFrom"]?["fieldRef"]?["fieldPath"]?.string == "status.podIP" { environment[name] = "127.0.0.1" }
            if let value = entry["value"]?.string { environment[name] = value }
        }
        #expect(environment["POD_IP"] == "127.0.0.1")
        let heap = try #require(environment["KAFKA_HEAP_OPTS"]).split(separator: " ").map(String.init)
        let options = try #require(environment["KAFKA_OPTS"]).split(separator: " ").map(String.init).filter { !$0.hasPrefix("-javaagent:") }
        let process = Process()
        process.executableURL = distribution.java
        process.arguments = heap + options + ["-cp", try distribution.classpath(), "org.apache.kafka.connect.cli.ConnectDistributed", properties.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = work.appendingPathComponent("worker.log")
        try Data().write(to: log)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }

        let client = ConnectClient(url: URL(string: "http://127.0.0.1:\(port)")!)
        let listed = try await eventually(timeout: .seconds(180), "the replayed worker to become healthy and list its plugins") { () -> Set<String>? in
            #expect(process.isRunning, "the worker exited: \((try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? "")")
            guard process.isRunning, (try? await client.isHealthy()) == true else { return nil }
            return Set(try await client.plugins().map(\.className))
        }
        #expect(listed == [source, sink, postgres], "exactly the image's classes and the cluster's set")
        // It advertises its pod address, which Connect's env config provider read from POD_IP:
        // the address is the worker id that status reports.
        let input = work.appendingPathComponent("input.txt")
        try "hello\n".write(to: input, atomically: true, encoding: .utf8)
        try await client.putConfig("probe", config: ["connector.class": source, "file": input.path, "topic": "\(cluster)-probe"])
        let workerID = try await eventually(timeout: .seconds(120), "the probe connector to run") { () -> String? in
            let status = try await client.status(of: "probe")
            return status.connector.state == .running ? status.connector.workerID : nil
        }
        #expect(workerID == "127.0.0.1:\(port)")
        try await client.delete("probe")
    }
}
