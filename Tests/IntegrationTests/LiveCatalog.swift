import ConnectClient
import Foundation
import ServerTesting
import StackTesting
import TestSupport

/// A catalog for the test stack's clusters (alpha and beta), with teams whose names are new in
/// every run, so that connectors of earlier runs and of other tests are unmanaged to it.
struct LiveCatalog {
    let folder: CatalogFolder
    let team: String
    let otherTeam: String
    /// A scratch folder for FileStream files.
    let data: URL
    /// Environment for the command line (the planted secret, when there is one).
    let environment: [String: String]
    /// The password of cluster alpha's basic auth (Connect ignores it), read from the
    /// environment: a secret that is in memory on every run, and must never be printed.
    static let plantedVariable = "SB_PLANTED_PASSWORD"

    /// `policy` is appended to switchboard.yaml; `teamYAML` gives each team's team.yaml; with
    /// `plantedSecret`, cluster alpha uses basic auth whose password is that secret.
    init(extraClusters: String = "", policy: String = "", teamYAML: ((String) -> String)? = nil, plantedSecret: String? = nil) throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        team = "pay-\(suffix)"
        otherTeam = "ana-\(suffix)"
        data = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(suffix)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let stack = TestStack.shared.stack.configuration
        environment = plantedSecret.map { [Self.plantedVariable: $0, "SWITCHBOARD_LOG_LEVEL": "debug"] } ?? [:]
        let auth = plantedSecret == nil ? "" : "\n    auth:\n      basic:\n        username: switchboard\n        passwordEnv: \(Self.plantedVariable)"
        folder = try CatalogFolder([
            "switchboard.yaml": """
                clusters:
                  - name: alpha
                    url: \(stack.workerURLs(of: "alpha")[0])\(auth)
                    kafka:
                      bootstrapServers: \(stack.bootstrapServers)
                  - name: beta
                    url: \(stack.workerURLs(of: "beta")[0])
                    kafka:
                      bootstrapServers: \(stack.bootstrapServers)
                \(extraClusters)
                policy:
                  maxTasks: 4
                  defaults:
                    - key: errors.deadletterqueue.topic.name
                      value: "dlq.{team}.{name}"
                      appliesTo: sink
                    - key: errors.deadletterqueue.topic.replication.factor
                      value: "1"
                      appliesTo: sink
                    - key: errors.tolerance
                      value: all
                      appliesTo: sink
                \(policy)
                """,
            "teams/\(team)/team.yaml": teamYAML?(team) ?? "members: [alice]\n",
            "teams/\(otherTeam)/team.yaml": teamYAML?(otherTeam) ?? "members: [carol]\n",
        ])
    }

    var root: String { folder.root.path }

    /// Writes a connector file of `team` (default: the first team).
    func connector(_ name: String, team: String? = nil, cluster: String = "alpha", className: String, state: String = "running", config: [String: String]) throws {
        let owner = team ?? self.team
        let lines = config.sorted { $0.key < $1.key }.map { "  \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        try folder.write("teams/\(owner)/connectors/\(name).yaml", """
            name: \(name)
            cluster: \(cluster)
            class: \(className)
            state: \(state)
            config:
            \(lines)
            """)
    }

    /// `extra` config keys are added to the source's (`producer.override.*`, say).
    func fileSource(_ name: String, topic: String, cluster: String = "alpha", state: String = "running", extra: [String: String] = [:]) throws {
        try connector(name, cluster: cluster, className: "org.apache.kafka.connect.file.FileStreamSourceConnector", state: state,
                      config: ["file": data.appendingPathComponent("\(name).in").path, "topic": topic].merging(extra) { $1 })
    }

    func fileSink(_ name: String, team: String? = nil, topic: String, cluster: String = "alpha", state: String = "running") throws {
        try connector(name, team: team, cluster: cluster, className: "org.apache.kafka.connect.file.FileStreamSinkConnector", state: state,
                      config: ["file": data.appendingPathComponent("\(name).out").path, "topics": topic])
    }

    /// `switchboard <command> --catalog <root> ...`.
    func run(_ command: String, _ arguments: String..., input: String = "") async throws -> CLI.Result {
        try await run([command] + arguments, input: input)
    }

    /// `switchboard <arguments[0]> --catalog <root> <arguments[1...]>`.
    func run(_ arguments: [String], input: String = "") async throws -> CLI.Result {
        try await CLI.run([arguments[0], "--catalog", root] + arguments.dropFirst(), input: input, environment: environment)
    }

    /// The connectors of this catalog's teams on both clusters, with their configs: what "nothing
    /// was applied" compares before and after.
    func managedState() async throws -> [String: [String: String]] {
        var state: [String: [String: String]] = [:]
        for cluster in ["alpha", "beta"] {
            for (name, snapshot) in try await TestStack.shared.client(cluster).connectors() where name.hasPrefix("\(team)_") || name.hasPrefix("\(otherTeam)_") {
                state["\(cluster)/\(name)"] = snapshot.info?.config ?? [:]
            }
        }
        return state
    }

    /// The plan as JSON, decoded, and the exit status of `plan --detailed-exitcode`.
    func plan() async throws -> (PlanJSON, Int32) {
        let result = try await run("plan", "--output", "json", "--detailed-exitcode")
        guard result.status == 0 || result.status == 2 else {
            throw TestFailure("plan failed (\(result.status)): \(result.stderr)")
        }
        return (try JSONDecoder().decode(PlanJSON.self, from: Data(result.stdout.utf8)), result.status)
    }
}

/// The JSON of `switchboard plan --output json`, as an outside tool would read it.
struct PlanJSON: Decodable {
    struct Cluster: Decodable {
        var cluster: String
        var changes: [Change]
        var unchanged: [String]
        var unmanaged: [String]
    }
    struct Change: Decodable {
        var action: String
        var connector: String
        var keyChanges: [KeyChange]
        var fromState: String?
        var toState: String?
    }
    struct KeyChange: Decodable, Equatable {
        var key: String
        var kind: String
        var old: String?
        var new: String?
    }
    var clusters: [Cluster]

    func cluster(_ name: String) -> Cluster? { clusters.first { $0.cluster == name } }
    var changes: [Change] { clusters.flatMap(\.changes) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
