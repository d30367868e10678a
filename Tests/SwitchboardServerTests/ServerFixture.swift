import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Reconciler
import TestSupport
import SwitchboardCore
@testable import SwitchboardServer

/// A server over a catalog (teams payments and analytics, admin group platform) and a snapshot
/// seeded from Connect-shaped JSON, with local users alice (payments), carol (analytics),
/// pat (platform admin), sam (group sre: operator of payments), rita (reader of payments) and
/// vic (no team), all with password "pw".
struct ServerFixture {
    let dependencies: ServerDependencies
    let catalog: Catalog

    static let users = LocalUsers(entries: ["alice": ["payments-eng"], "carol": ["analytics-eng"], "pat": ["platform"], "sam": ["sre"], "rita": [], "vic": ["support"]].map {
        LocalUsers.Entry(name: $0.key, passwordHash: LocalUsers.hash("pw", cost: 4), groups: $0.value, email: nil)
    })

    /// `connectors` is the JSON of `GET /connectors?expand=info&expand=status` for cluster ingest;
    /// `access` is switchboard.yaml's `access:` section, if any.
    init(connectors: String, clusterURL: String = "http://127.0.0.1:1", auth: AuthSettings? = nil, access: String? = nil) throws {
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
        dependencies = ServerDependencies(store: store, audit: try AuditLog(path: ":memory:"),
                                          auth: auth ?? AuthSettings(localUsers: Self.users))
    }

    var app: some ApplicationProtocol {
        Application(router: buildRouter(dependencies))
    }

    /// The JSON Connect returns for one connector.
    static func connector(_ name: String, state: String = "RUNNING", tasks: [String] = ["RUNNING"], config: [String: String] = [:], trace: String? = nil, type: String = "sink") -> String {
        let configJSON = String(decoding: try! JSONEncoder().encode(config.merging(["connector.class": type == "sink" ? "org.example.Sink" : "org.example.Source", "name": name]) { a, _ in a }), as: UTF8.self)
        let taskIDs = tasks.indices.map { "{\"connector\":\"\(name)\",\"task\":\($0)}" }.joined(separator: ",")
        let traceJSON = trace.map { ",\"trace\":\(String(decoding: try! JSONEncoder().encode($0), as: UTF8.self))" } ?? ""
        let taskStatus = tasks.enumerated().map { "{\"id\":\($0.offset),\"state\":\"\($0.element)\",\"worker_id\":\"w1:8083\"\(traceJSON)}" }.joined(separator: ",")
        return """
            "\(name)": {"info": {"name": "\(name)", "config": \(configJSON), "tasks": [\(taskIDs)], "type": "\(type)"},
            "status": {"name": "\(name)", "connector": {"state": "\(state)", "worker_id": "w1:8083"}, "tasks": [\(taskStatus)], "type": "\(type)"}}
            """
    }

    static func snapshot(_ connectors: String...) -> String {
        snapshot(connectors)
    }

    static func snapshot(_ connectors: [String]) -> String {
        "{" + connectors.joined(separator: ",") + "}"
    }
}

extension TestClientProtocol {
    /// Signs in a local user and returns the session cookie header value.
    func signIn(_ user: String, password: String = "pw") async throws -> String {
        try await execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "username=\(user)&password=\(password)&next=/")) { response in
            guard response.status == .seeOther, let cookie = response.headers[.setCookie] else {
                throw TestFailure("sign-in of \(user) failed: \(response.status)")
            }
            return String(cookie.prefix { $0 != ";" })
        }
    }

    func page(_ uri: String, cookie: String?) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: uri, method: .get, headers: headers) { ($0.status, String(buffer: $0.body)) }
    }

    /// The CSRF token of the signed-in user, from the API.
    func csrf(cookie: String) async throws -> String {
        let (_, body) = try await page("/api/v1/me", cookie: cookie)
        let me = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        guard let token = me?["csrfToken"] as? String else { throw TestFailure("no csrfToken in \(body)") }
        return token
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
