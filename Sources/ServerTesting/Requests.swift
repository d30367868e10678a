import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Signed-in requests to a router under test, as a browser (forms) or an API client sends them:
/// the one set of HummingbirdTesting helpers of the unit and integration tests.
extension TestClientProtocol {
    /// Signs in a local user and returns the session cookie header value.
    public func signIn(_ user: String, password: String = "pw") async throws -> String {
        try await execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "username=\(user)&password=\(password)&next=/")) { response in
            guard response.status == .seeOther, let cookie = response.headers[.setCookie] else {
                throw TestFailure("sign-in of \(user) failed: \(response.status)")
            }
            return String(cookie.prefix { $0 != ";" })
        }
    }

    /// A GET, with the session cookie when given.
    public func page(_ uri: String, cookie: String?) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: uri, method: .get, headers: headers) { ($0.status, String(buffer: $0.body)) }
    }

    /// The CSRF token of the signed-in user, from the API.
    public func csrf(cookie: String) async throws -> String {
        let (_, body) = try await page("/api/v1/me", cookie: cookie)
        let me = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        guard let token = me?["csrfToken"] as? String else { throw TestFailure("no csrfToken in \(body)") }
        return token
    }

    /// A state-changing request: a form (fields plus the csrf field) or an API call (a JSON body
    /// and the X-CSRF-Token header). Without a cookie, no token either.
    public func send(_ uri: String, cookie: String?, form: [String: String]? = nil, json: String? = nil) async throws -> (HTTPResponse.Status, String) {
        try await send(.post, uri, cookie: cookie, form: form, json: json)
    }

    public func send(_ method: HTTPRequest.Method, _ uri: String, cookie: String?, form: [String: String]? = nil, json: String? = nil) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [:]
        var token = ""
        if let cookie {
            headers[.cookie] = cookie
            token = try await csrf(cookie: cookie)
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
