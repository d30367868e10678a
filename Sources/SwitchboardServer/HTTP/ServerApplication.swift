import ConnectClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Reconciler
import ServiceLifecycle
import SwitchboardCore

/// Everything the server is built from.
public struct ServerDependencies: Sendable {
    public let store: SnapshotStore
    public let audit: AuditLog
    public let auth: AuthSettings
    public let logger: Logger
    /// The overview's table by filter and page, and list API bodies by query.
    let pageCache = RenderCache<HTML>()
    let apiCache = RenderCache<ByteBuffer>()
    /// Server-side sessions and the sign-in throttle, shared by every request.
    public let sessions: any SessionKeeper
    public let throttle = SignInThrottle()
    /// Personal API tokens, kept in the audit log's database.
    public let apiTokens: APITokens
    /// The GitOps controller, when the server follows a repository.
    public let gitops: GitOpsController?
    /// The shared secret of push webhooks (`X-Hub-Signature-256`); nil: webhooks are refused.
    public let webhookSecret: [UInt8]?

    public init(store: SnapshotStore, audit: AuditLog, auth: AuthSettings, gitops: GitOpsController? = nil, webhookSecret: [UInt8]? = nil, logger: Logger = Logger(label: "switchboard.server")) {
        self.gitops = gitops
        self.webhookSecret = webhookSecret
        self.store = store
        self.audit = audit
        self.auth = auth
        self.logger = logger
        self.apiTokens = APITokens(storage: audit.storage, localUsers: auth.localUsers)
        self.sessions = audit.storage.sharedSessions ?? SessionStore()
    }

    /// The catalog served now (the last good commit when a repository is followed).
    public var catalog: Catalog { store.catalog }
    public var connections: ClusterConnections { store.connections }
    var permissions: Permissions { Permissions(catalog: catalog) }
    var tokens: Tokens { Tokens(secret: auth.secret) }
    var actions: ConnectorActions {
        ConnectorActions(store: store, connections: connections, permissions: permissions, audit: audit, logger: logger)
    }
}

/// The router: HTML pages and the JSON API, behind authentication and security headers.
public func buildRouter(_ dependencies: ServerDependencies) -> Router<SwitchboardRequestContext> {
    let router = Router(context: SwitchboardRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(https: dependencies.auth.secureCookies))
    router.add(middleware: AuthenticationMiddleware(settings: dependencies.auth, sessions: dependencies.sessions, apiTokens: dependencies.apiTokens))
    ResourceRoutes(dependencies: dependencies).register(on: router)
    PageRoutes(dependencies: dependencies).register(on: router)
    APIRoutes(dependencies: dependencies).register(on: router)
    TokenRoutes(dependencies: dependencies).register(on: router)
    GitOpsRoutes(dependencies: dependencies).register(on: router)
    DataFlowRoutes(dependencies: dependencies).register(on: router)
    return router
}

/// The whole server: the router on `host:port`, the poller that refreshes the snapshot, the lag
/// poller, the topic poller (the lineage's topics), the auto-restart controller that acts on each new snapshot, and the GitOps
/// controller when the server follows a repository.
public func buildApplication(_ dependencies: ServerDependencies, host: String, port: Int, pollInterval: Duration) -> some ApplicationProtocol {
    var services: [any Service] = [SnapshotPoller(store: dependencies.store, interval: pollInterval), LagPoller(store: dependencies.store, interval: max(pollInterval, .seconds(5)), logger: dependencies.logger),
                                   AutoRestarter(dependencies: dependencies, interval: pollInterval), TopicPoller(store: dependencies.store, logger: dependencies.logger)]
    if let gitops = dependencies.gitops { services.append(gitops) }
    return Application(
        router: buildRouter(dependencies),
        configuration: .init(address: .hostname(host, port: port), serverName: "switchboard"),
        services: services,
        logger: dependencies.logger
    )
}

// MARK: responses

enum Responses {
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page.markup)))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        json(ByteBuffer(data: try JSONWriter.compact(value)), status: status)
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// `{"error": "..."}` with a status; the message goes through the scrubber.
    static func error(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try json(["error": Scrubber.scrub(message)], status: status)
    }
}

/// Checks of values that come from the request.
enum RequestValues {
    /// A redirect target after signing in: only a path on this server. Anything else (another
    /// host, `//host`, `/\host` which browsers read as `//host`, a scheme, control characters,
    /// also percent-encoded) becomes `/`.
    static func localPath(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.count <= 2048,
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }),
              let components = URLComponents(string: next), components.scheme == nil, components.host == nil,
              components.path.hasPrefix("/"), !components.path.hasPrefix("//"),
              components.path.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\" })
        else { return "/" }
        return next
    }

    /// A task id from a path: decimal digits only (no sign, no spaces), at most 6 of them.
    static func taskID(_ text: String?) -> Int? {
        guard let text, (1...6).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}

extension Request {
    /// A URL-encoded form body (up to 64 KiB), decoded by Hummingbird's form decoder. A body
    /// that is not such a form, or a field of the wrong type, is a 400.
    func form<Form: Decodable>(_ type: Form.Type) async throws -> Form {
        let buffer = try await body.collect(upTo: 64 << 10)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: buffer))
        } catch {
            throw HTTPError(.badRequest, message: "The form could not be read.")
        }
    }

    /// A POST from another site (a cross-site form or fetch) is refused outright, beside the token check.
    var isCrossSite: Bool {
        headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site"
    }
}
