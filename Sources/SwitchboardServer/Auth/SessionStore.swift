@preconcurrency import Crypto
import Foundation
import NIOConcurrencyHelpers

/// Sessions kept on the server: the cookie holds only a random id, so signing out and expiry
/// end a session for real (a copied cookie stops working), and CSRF tokens are bound to one
/// session.
///
/// Every signed-in browser has one: local users get it when they sign in; users named by a
/// trusted proxy (or the `--insecure-dev` stand-in) get one on their first request. A session
/// ends when it is signed out, after ``lifetime``, or after ``idleTimeout`` without a request.
/// Memory is bounded: at most ``perUserLimit`` sessions per user (a script without a cookie
/// jar only replaces its own) and ``capacity`` in all (the least recently used goes first).
public final class SessionStore: Sendable {
    public struct Session: Sendable, Equatable {
        /// 256 random bits, base64url: the cookie's value.
        public let id: String
        public let user: String
        public let source: User.Source
        public let created: Date
        public fileprivate(set) var lastSeen: Date
    }

    public let lifetime: TimeInterval
    public let idleTimeout: TimeInterval
    public let capacity: Int
    public let perUserLimit: Int
    private let sessions = NIOLockedValueBox<[String: Session]>([:])

    public init(lifetime: TimeInterval = 12 * 3600, idleTimeout: TimeInterval = 2 * 3600, capacity: Int = 10_000, perUserLimit: Int = 20) {
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
        self.capacity = capacity
        self.perUserLimit = perUserLimit
    }

    /// Starts a session.
    public func create(user: String, source: User.Source, now: Date = Date()) -> Session {
        let session = Session(id: Tokens.base64url(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })), user: user, source: source, created: now, lastSeen: now)
        sessions.withLockedValue { sessions in
            let own = sessions.values.filter { $0.user == user }.sorted { $0.lastSeen < $1.lastSeen }
            for old in own.prefix(max(0, own.count - perUserLimit + 1)) {
                sessions.removeValue(forKey: old.id)
            }
            if sessions.count >= capacity {
                sessions = sessions.filter { isValid($0.value, now: now) }
                if sessions.count >= capacity, let oldest = sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                    sessions.removeValue(forKey: oldest.id)
                }
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with this id (and notes that it was used); nil once it ended.
    public func session(id: String, now: Date = Date()) -> Session? {
        sessions.withLockedValue { sessions in
            guard var session = sessions[id] else { return nil }
            guard isValid(session, now: now) else {
                sessions.removeValue(forKey: id)
                return nil
            }
            session.lastSeen = now
            sessions[id] = session
            return session
        }
    }

    /// Ends a session (signing out).
    public func end(id: String) {
        _ = sessions.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// How many sessions are kept (for tests and metrics).
    public var count: Int { sessions.withLockedValue { $0.count } }

    private func isValid(_ session: Session, now: Date) -> Bool {
        now.timeIntervalSince(session.created) < lifetime && now.timeIntervalSince(session.lastSeen) < idleTimeout
    }
}
