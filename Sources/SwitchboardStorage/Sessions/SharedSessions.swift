import Foundation
import SwitchboardAPI

/// Sessions in PostgreSQL, seen by every replica. A session's last use is written at most once a
/// minute (the idle timeout counts in hours).
final class SharedSessions: SessionKeeper {
    let storage: PostgresStorage
    let lifetime: TimeInterval
    let idleTimeout: TimeInterval
    let perUserLimit: Int

    init(storage: PostgresStorage, lifetime: TimeInterval = 12 * 3600, idleTimeout: TimeInterval = 2 * 3600, perUserLimit: Int = 20) {
        self.storage = storage
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
        self.perUserLimit = perUserLimit
    }

    func start(user: String, source: User.Source, now: Date) async throws -> Session {
        let session = Session.make(user: user, source: source, now: now)
        try await storage.insertSession(session, perUserLimit: perUserLimit)
        return session
    }

    func find(id: String, now: Date) async throws -> Session? {
        guard var session = try await storage.session(id: id) else { return nil }
        guard session.isValid(now: now, lifetime: lifetime, idleTimeout: idleTimeout) else {
            try await storage.deleteSessions(id: id, endedBefore: now.addingTimeInterval(-lifetime), idleSince: now.addingTimeInterval(-idleTimeout))
            return nil
        }
        if now.timeIntervalSince(session.lastSeen) > 60 {
            session.lastSeen = now
            try await storage.touchSession(id: id, at: now)
        }
        return session
    }

    func stop(id: String) async throws {
        try await storage.deleteSessions(id: id, endedBefore: Date().addingTimeInterval(-lifetime), idleSince: Date().addingTimeInterval(-idleTimeout))
    }
}
