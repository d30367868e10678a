@preconcurrency import Crypto
import Foundation
import NIOConcurrencyHelpers
import SwitchboardAPI
import SwitchboardCore

/// Sessions kept on the server: the cookie holds only a random id, so signing out and expiry
/// end a session for real (a copied cookie stops working), and CSRF tokens are bound to one
/// session.
///
/// Every signed-in browser has one: local users get it when they sign in; users named by a
/// trusted proxy (or the `--insecure-dev` stand-in) get one on their first request. A session
/// ends when it is signed out, after ``lifetime``, or after ``idleTimeout`` without a request.
/// Memory is bounded: at most ``perUserLimit`` sessions per user (a script without a cookie
/// jar only replaces its own) and ``capacity`` in all (the least recently used goes first).
public final class SessionStore: SessionKeeper {
    public typealias Session = SwitchboardStorage.Session

    public let lifetime: TimeInterval
    public let idleTimeout: TimeInterval
    public let capacity: Int
    public let perUserLimit: Int
    /// Sessions by id, and the ids of each user's sessions (so that starting one, which a
    /// proxied script without a cookie jar does on every request, looks at that user's only).
    private struct State {
        var sessions: [String: Session] = [:]
        var byUser: [String: Set<String>] = [:]

        mutating func remove(_ id: String) {
            guard let session = sessions.removeValue(forKey: id) else { return }
            byUser[session.user]?.remove(id)
            if byUser[session.user]?.isEmpty == true { byUser.removeValue(forKey: session.user) }
        }
    }

    private let state = NIOLockedValueBox(State())

    public init(lifetime: TimeInterval = 12 * 3600, idleTimeout: TimeInterval = 2 * 3600, capacity: Int = 10_000, perUserLimit: Int = 20) {
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
        self.capacity = capacity
        self.perUserLimit = perUserLimit
    }

    /// Starts a session.
    public func create(user: String, source: User.Source, now: Date = Date()) -> Session {
        let session = Session.make(user: user, source: source, now: now)
        state.withLockedValue { state in
            let own = (state.byUser[user] ?? []).compactMap { state.sessions[$0] }.sorted { $0.lastSeen < $1.lastSeen }
            for old in own.prefix(max(0, own.count - perUserLimit + 1)) {
                state.remove(old.id)
            }
            if state.sessions.count >= capacity {
                for (id, old) in state.sessions where !isValid(old, now: now) { state.remove(id) }
                if state.sessions.count >= capacity, let oldest = state.sessions.values.min(by: { $0.lastSeen < $1.lastSeen }) {
                    state.remove(oldest.id)
                }
            }
            state.sessions[session.id] = session
            state.byUser[user, default: []].insert(session.id)
        }
        return session
    }

    /// The live session with this id (and notes that it was used); nil once it ended.
    public func session(id: String, now: Date = Date()) -> Session? {
        state.withLockedValue { state in
            guard var session = state.sessions[id] else { return nil }
            guard isValid(session, now: now) else {
                state.remove(id)
                return nil
            }
            session.lastSeen = now
            state.sessions[id] = session
            return session
        }
    }

    /// Ends a session (signing out).
    public func end(id: String) {
        state.withLockedValue { $0.remove(id) }
    }

    /// How many sessions are kept (for tests and metrics).
    public var count: Int { state.withLockedValue { $0.sessions.count } }

    private func isValid(_ session: Session, now: Date) -> Bool {
        session.isValid(now: now, lifetime: lifetime, idleTimeout: idleTimeout)
    }

    // SessionKeeper
    public func start(user: String, source: User.Source, now: Date) async throws -> Session { create(user: user, source: source, now: now) }
    public func find(id: String, now: Date) async throws -> Session? { session(id: id, now: now) }
    public func stop(id: String) async throws { end(id: id) }
}

/// A signed-in browser's session.
public struct Session: Sendable, Equatable {
    /// 256 random bits, base64url: the cookie's value.
    public let id: String
    public let user: String
    public let source: User.Source
    public let created: Date
    public internal(set) var lastSeen: Date

    static func make(user: String, source: User.Source, now: Date) -> Session {
        Session(id: Base64URL.encode(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })), user: user, source: source, created: now, lastSeen: now)
    }

    func isValid(now: Date, lifetime: TimeInterval, idleTimeout: TimeInterval) -> Bool {
        now.timeIntervalSince(created) < lifetime && now.timeIntervalSince(lastSeen) < idleTimeout
    }
}

/// Where sessions live: this process's memory (``SessionStore``, one replica), or the storage
/// every replica shares (``SharedSessions``).
public protocol SessionKeeper: Sendable {
    var lifetime: TimeInterval { get }
    func start(user: String, source: User.Source, now: Date) async throws -> Session
    /// The live session with this id (noting its use); nil once it ended.
    func find(id: String, now: Date) async throws -> Session?
    func stop(id: String) async throws
}
