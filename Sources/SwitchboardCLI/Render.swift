import ArgumentParser
import Foundation
import SwitchboardCore
import SwitchboardKubernetes
import SwitchboardMonitoring

/// `switchboard render ...`: configuration for other systems, generated from the catalog.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render configuration for other systems from the catalog.",
        subcommands: [Monitoring.self, Kubernetes.self, Codeowners.self]
    )

    struct Codeowners: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a CODEOWNERS file: each team reviews its own folder, the platform its files.",
            discussion: """
                The owners come from `reviewers:` in each team.yaml (for teams/<team>/) and in switchboard.yaml                 (for switchboard.yaml, plugins.yaml and everything else): GitHub users or teams (@org/team)                 or email addresses. With branch protection's "require review from code owners", a pull                 request that changes a team's connectors needs that team's approval. A team without                 reviewers is named on stderr. Prints to stdout unless --out is given.

                Examples:
                  switchboard render codeowners --catalog examples/catalog > .github/CODEOWNERS
                  switchboard render codeowners --catalog catalog --prefix catalog --out .github/CODEOWNERS
                """
        )

        @OptionGroup var options: CatalogOptions

        @Option(help: ArgumentHelp("The catalog's folder inside the repository, when it is not at the top.", valueName: "path"))
        var prefix = ""

        @Option(help: ArgumentHelp("The file to write (default: stdout).", valueName: "file"))
        var out: String?

        func run() async throws {
            let rendered = CodeownersRenderer.render(try options.loadCatalog(), prefix: prefix)
            for warning in rendered.warnings { Output.standardError("note: \(warning)") }
            if let out {
                let file = URL(fileURLWithPath: out).standardizedFileURL
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try rendered.text.write(to: file, atomically: true, encoding: .utf8)
                print("wrote \(file.path)")
            } else {
                print(rendered.text, terminator: "")
            }
        }
    }

    struct Kubernetes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render Kubernetes manifests (kustomize bases) for every Connect cluster and the Switchboard server.",
            discussion: """
                Writes into --out:
                  clusters/<cluster>/   Connect workers in distributed mode: a Deployment whose init container runs \
                `switchboard plugins install` for the cluster's plugin set into plugin.path, ConfigMaps (worker.properties, \
                the plugin set, JMX exporter rules), a Service, a PodDisruptionBudget, a HorizontalPodAutoscaler, and \
                with `prometheusOperator: true` a ServiceMonitor and a PrometheusRule
                  switchboard/          the server behind an oauth2-proxy sidecar, the catalog as a ConfigMap, a volume for the audit log
                  kustomization.yaml    all of them: `kubectl apply -k <out>`
                Settings (image, replicas, resources, namespace, artifact store) come from `kubernetes:` in switchboard.yaml, \
                platform-wide and per cluster; the broker from each cluster's `kafka:`. A changed plugin set changes only the \
                workload's checksum annotation, which rolls the workers. See docs/kubernetes.md.

                Example:
                  switchboard render kubernetes --catalog examples/catalog --out build/kubernetes
                  kubectl kustomize build/kubernetes | kubectl apply -f -
                """
        )

        @OptionGroup var options: CatalogOptions

        @Option(help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir"))
        var out: String

        func run() async throws {
            let catalog = try options.loadCatalog()
            let files: [String: String]
            do {
                files = try KubernetesRenderer(catalog: catalog).render()
            } catch {
                Output.error("\(error)")
                throw ExitCode.failure
            }
            try Render.write(files, into: out)
        }
    }

    struct Monitoring: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render Prometheus alert rules, Alertmanager routes per team, JMX exporter rules and a Grafana dashboard.",
            discussion: """
                Writes into --out:
                  prometheus/switchboard-alerts.yml   connector failed, task failed, sink lag growing, drift, cluster unreachable (each with the team label)
                  prometheus/scrape-switchboard.yml   the scrape job for Switchboard's /metrics
                  alertmanager/alertmanager.yml       one route and receiver per team (team.yaml alerts), a default receiver (alerting.defaultReceivers)
                  jmx-exporter/kafka-connect.yml      JMX exporter rules that put the team (the name's prefix) into a label
                  grafana/switchboard.json            a dashboard with a team variable
                Thresholds and timings come from `alerting:` in switchboard.yaml. Check them with \
                `promtool check rules` and `amtool check-config`.

                Example:
                  switchboard render monitoring --catalog examples/catalog --out build/monitoring
                """
        )

        @OptionGroup var options: CatalogOptions

        @Option(help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir"))
        var out: String

        @Option(help: ArgumentHelp("Where Prometheus reaches Switchboard's /metrics.", valueName: "host:port"))
        var switchboardTarget = "switchboard:8080"

        func run() async throws {
            let catalog = try options.loadCatalog()
            let files: [String: String]
            do {
                files = try MonitoringRenderer(catalog: catalog).render(switchboardTarget: switchboardTarget)
            } catch {
                Output.error("\(error)")
                throw ExitCode.failure
            }
            try Render.write(files, into: out)
        }
    }

    /// Writes rendered files under `folder` and lists them.
    static func write(_ files: [String: String], into folder: String) throws {
        let root = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
            print("wrote \(file.path)")
        }
    }
}
