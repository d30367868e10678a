import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAPI
import SwitchboardStorage

/// Works out who is asking and in which session, and stores both in the context; it never
/// refuses (routes do, so that refused actions can be audited).
///
/// In order: an API token (`Authorization: Bearer`, API paths only: a bad token is a 401, not
/// an anonymous request); the insecure development stand-in; proxy headers, only when enabled and the peer
/// is a trusted proxy; a local user's session cookie. The first two get a server-side session
/// of their own on their first request (for CSRF tokens); a local user's session starts when
/// they sign in and ends when they sign out or it expires.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext
    let settings: AuthSettings
    let sessions: any SessionKeeper
    let apiTokens: APITokens

    static let sessionCookie = "sb_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization], request.uri.path.hasPrefix("/api/") {
            guard authorization.hasPrefix("Bearer ") else {
                return try Responses.error(.unauthorized, "the API takes `Authorization: Bearer <token>` (a personal API token), or a session cookie")
            }
            switch await apiTokens.authenticate(String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)) {
            case .success(let user):
                context.user = user
                context.viaToken = true
                return try await next(request, context)
            case .failure(let problem):
                return try Responses.error(.unauthorized, problem.description)
            }
        }
        var cookieSession: Session?
        if let cookie = request.cookies[Self.sessionCookie] {
            cookieSession = try await sessions.find(id: cookie.value, now: Date())
        }
        var started: SessionStore.Session?
        if let user = headerUser(request, remoteAddress: context.remoteAddress) {
            context.user = user
            if let session = cookieSession, session.user == user.name, session.source == user.source {
                context.session = session
            } else {
                started = try await sessions.start(user: user.name, source: user.source, now: Date())
                context.session = started
            }
        } else if let users = settings.localUsers, let session = cookieSession, session.source == .local, let user = users.user(named: session.user) {
            context.user = user
            context.session = session
        }
        var response = try await next(request, context)
        if let started {
            response.setCookie(Self.cookie(started.id, settings: settings, maxAge: Int(sessions.lifetime)))
        }
        return response
    }

    /// The user that the insecure stand-in or trusted proxy headers name, if any.
    func headerUser(_ request: Request, remoteAddress: String?) -> User? {
        if let user = settings.insecureDevelopmentUser { return user }
        if let proxy = settings.proxy, let address = remoteAddress, proxy.trustedProxies.contains(where: { $0.contains(address) }),
           let name = header(request, proxy.userHeader), !name.isEmpty {
            let groups = (header(request, proxy.groupsHeader) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return User(name: name, groups: groups, email: header(request, proxy.emailHeader), source: .proxy)
        }
        return nil
    }

    func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    /// The session cookie (an empty value with max-age 0 removes it).
    static func cookie(_ value: String, settings: AuthSettings, maxAge: Int) -> Cookie {
        Cookie(name: sessionCookie, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .lax)
    }
}
