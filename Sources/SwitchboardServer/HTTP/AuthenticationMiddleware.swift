import HTTPTypes
import Hummingbird

/// Works out who is asking, and stores it in the context; it never refuses (routes do, so that
/// refused actions can be audited).
///
/// In order: the insecure development stand-in; proxy headers, only when enabled and the peer is
/// a trusted proxy; a local user's signed session cookie.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext
    let settings: AuthSettings
    let tokens: Tokens

    static let sessionCookie = "sb_session"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.user = user(for: request, remoteAddress: context.remoteAddress)
        return try await next(request, context)
    }

    func user(for request: Request, remoteAddress: String?) -> User? {
        if let user = settings.insecureDevelopmentUser { return user }
        if let proxy = settings.proxy, let address = remoteAddress, proxy.trustedProxies.contains(where: { $0.contains(address) }),
           let name = header(request, proxy.userHeader), !name.isEmpty {
            let groups = (header(request, proxy.groupsHeader) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return User(name: name, groups: groups, email: header(request, proxy.emailHeader), source: .proxy)
        }
        if let users = settings.localUsers, let cookie = request.cookies[Self.sessionCookie],
           let name = tokens.user(fromSession: cookie.value) {
            return users.user(named: name)
        }
        return nil
    }

    func header(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }
}
