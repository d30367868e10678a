import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Reconciler
import SwitchboardCore
import SwitchboardServer

/// Signed-in requests to a router under test, as a browser (forms) or an API client sends them.
extension TestClientProtocol {
    /// Signs in a local user whose password is "pw"; returns the session cookie.
    func signIn(as user: String) async throws -> String {
        try await execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "username=\(user)&password=pw")) { response in
            String((response.headers[.setCookie] ?? "").prefix { $0 != ";" })
        }
    }

    func get(_ uri: String, cookie: String) async throws -> (HTTPResponse.Status, String) {
        try await execute(uri: uri, method: .get, headers: [.cookie: cookie]) { ($0.status, String(buffer: $0.body)) }
    }

    /// A state-changing request: a form (fields plus the csrf field) or an API call (a JSON body
    /// and the X-CSRF-Token header). Without a cookie, no token either.
    func send(_ uri: String, cookie: String?, form: [String: String]? = nil, json: String? = nil) async throws -> (HTTPResponse.Status, String) {
        try await send(.post, uri, cookie: cookie, form: form, json: json)
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, cookie: String?, form: [String: String]? = nil, json: String? = nil) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [:]
        var token = ""
        if let cookie {
            headers[.cookie] = cookie
            let (_, me) = try await get("/api/v1/me", cookie: cookie)
            token = ((try JSONSerialization.jsonObject(with: Data(me.utf8)) as? [String: Any])?["csrfToken"] as? String) ?? ""
        }
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            let fields = form.merging(["csrf": token]) { $1 }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: fields)) { ($0.status, String(buffer: $0.body)) }
        }
        headers[HTTPField.Name("X-CSRF-Token")!] = token
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
    }
}

extension ServerDependencies {
    /// A server over a test's live catalog with local users: the clusters read once (with
    /// `details`, also version and plugins), the audit log in memory.
    static func live(_ root: URL, users: LocalUsers, details: Bool = false, flow: DataFlow = DataFlow()) async throws -> ServerDependencies {
        let catalog = try CatalogLoader.loadChecked(from: root)
        let connections = try ClusterConnections(catalog: catalog)
        let store = SnapshotStore(catalog: catalog, connections: connections, flow: flow)
        await store.refresh(details: details)
        return ServerDependencies(store: store, audit: try AuditLog(path: ":memory:"), auth: AuthSettings(localUsers: users))
    }
}
