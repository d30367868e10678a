import Hummingbird
import SwitchboardAPI
import SwitchboardStorage

/// The request context: who is asking, and from which address (proxy headers are trusted only
/// from configured proxy addresses).
public struct SwitchboardRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address; nil in router tests, which have no socket.
    public let remoteAddress: String?
    /// Set by ``AuthenticationMiddleware``; nil for anonymous requests.
    public var user: User?
    /// The signed-in user's server-side session (CSRF tokens are bound to it).
    public var session: SessionStore.Session?
    /// The user came with an API token: no session, no cookie, so no CSRF token is needed
    /// (a browser never adds an Authorization header on its own).
    public var viaToken = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
        user = nil
        session = nil
    }
}
