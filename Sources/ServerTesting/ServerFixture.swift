import ConnectClient
import Foundation
import Hummingbird
import Reconciler
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardServer
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb
import TestSupport

/// A server over a catalog (teams payments and analytics, admin group platform) and a snapshot
/// seeded from Connect-shaped JSON, with local users alice (payments), carol (analytics),
/// pat (platform admin), sam (group sre: operator of payments), rita (reader of payments) and
/// vic (no team), all with password "pw".
public struct ServerFixture: Sendable {
    public let dependencies: ServerDependencies
    public let catalog: Catalog

    public static let users = LocalUsers(entries: ["alice": ["payments-eng"], "carol": ["analytics-eng"], "pat": ["platform"], "sam": ["sre"], "rita": [], "vic": ["support"]].map {
        LocalUsers.Entry(name: $0.key, passwordHash: LocalUsers.hash("pw", cost: 4), groups: $0.value, email: nil)
    })

    /// `connectors` is the JSON of `GET /connectors?expand=info&expand=status` for cluster ingest;
    /// `access` is switchboard.yaml's `access:` section, if any.
    public init(connectors: String, clusterURL: String = "http://127.0.0.1:1", auth: AuthSettings? = nil, access: String? = nil) throws {
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: \(clusterURL)\nadmins:\n  groups: [platform]\n" + (access.map { "access:\n\($0)" } ?? ""),
            "teams/payments/team.yaml": "members: [alice]\ngroups: [payments-eng]\nroles:\n  operator:\n    groups: [sre]\n  reader:\n    users: [rita]\n",
            "teams/analytics/team.yaml": "groups: [analytics-eng]\n",
            "teams/payments/connectors/orders.yaml": "name: orders\ncluster: ingest\nclass: org.example.Sink\nconfig:\n  topics: orders\n  db.password: ${file:/s.properties:pw}\n",
        ])
        catalog = try CatalogLoader.loadChecked(from: folder.root)
        let connections = try ClusterConnections(catalog: catalog)
        let store = SnapshotStore(catalog: catalog, connections: connections)
        var read = ClusterRead()
        read.connectors = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(connectors.utf8))
        read.readAt = Date()
        store.load(["ingest": read])
        dependencies = ServerDependencies.assemble(store: store, audit: try AuditLog(path: ":memory:"), auth: auth ?? AuthSettings(localUsers: Self.users))
    }

    public var app: some ApplicationProtocol {
        Application(router: buildRouter(dependencies))
    }

    /// The JSON Connect returns for one connector.
    public static func connector(_ name: String, state: String = "RUNNING", tasks: [String] = ["RUNNING"], config: [String: String] = [:], trace: String? = nil, type: String = "sink") -> String {
        let configJSON = String(decoding: try! JSONEncoder().encode(config.merging(["connector.class": type == "sink" ? "org.example.Sink" : "org.example.Source", "name": name]) { a, _ in a }), as: UTF8.self)
        let taskIDs = tasks.indices.map { "{\"connector\":\"\(name)\",\"task\":\($0)}" }.joined(separator: ",")
        let traceJSON = trace.map { ",\"trace\":\(String(decoding: try! JSONEncoder().encode($0), as: UTF8.self))" } ?? ""
        let taskStatus = tasks.enumerated().map { "{\"id\":\($0.offset),\"state\":\"\($0.element)\",\"worker_id\":\"w1:8083\"\(traceJSON)}" }.joined(separator: ",")
        return """
            "\(name)": {"info": {"name": "\(name)", "config": \(configJSON), "tasks": [\(taskIDs)], "type": "\(type)"},
            "status": {"name": "\(name)", "connector": {"state": "\(state)", "worker_id": "w1:8083"}, "tasks": [\(taskStatus)], "type": "\(type)"}}
            """
    }

    public static func snapshot(_ connectors: String...) -> String {
        snapshot(connectors)
    }

    public static func snapshot(_ connectors: [String]) -> String {
        "{" + connectors.joined(separator: ",") + "}"
    }
}

extension ServerDependencies {
    /// A server over a test's live catalog with local users: the clusters read once (with
    /// `details`, also version and plugins), the audit log in memory.
    public static func live(_ root: URL, users: LocalUsers, details: Bool = false, flow: DataFlow = DataFlow()) async throws -> ServerDependencies {
        let catalog = try CatalogLoader.loadChecked(from: root)
        let connections = try ClusterConnections(catalog: catalog)
        let store = SnapshotStore(catalog: catalog, connections: connections)
        let dependencies = ServerDependencies.assemble(store: store, audit: try AuditLog(path: ":memory:"), auth: AuthSettings(localUsers: users), flow: flow)
        await store.refresh(details: details)
        return dependencies
    }
}

/// A test's own failure with a message.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
