import Foundation
import Logging
import PostgresNIO
import SwitchboardAPI

/// Sessions every replica sees (``SharedSessions`` keeps them here).
extension PostgresStorage {
    func insertSession(_ session: Session, perUserLimit: Int) async throws {
        let logger = self.logger
        try await call("start a session") { client in
            try await client.query("""
                DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE "user" = \(session.user) ORDER BY last_seen DESC OFFSET \(max(0, perUserLimit - 1)))
                """, logger: logger)
            try await client.query("""
                INSERT INTO sessions (id, "user", source, created, last_seen) VALUES (\(session.id), \(session.user), \(session.source.rawValue), \(session.created), \(session.lastSeen))
                """, logger: logger)
            return ()
        }
    }

    func session(id: String) async throws -> Session? {
        let logger = self.logger
        return try await call("read a session") { client in
            let rows = try await client.query("SELECT id, \"user\", source, created, last_seen FROM sessions WHERE id = \(id)", logger: logger)
            for try await (id, user, source, created, seen) in rows.decode((String, String, String, Date, Date).self) {
                guard let source = User.Source(rawValue: source) else { return nil }
                return Session(id: id, user: user, source: source, created: created, lastSeen: seen)
            }
            return nil
        }
    }

    func touchSession(id: String, at date: Date) async throws {
        let logger = self.logger
        try await call("note a session's use") { client in
            try await client.query("UPDATE sessions SET last_seen = \(date) WHERE id = \(id)", logger: logger)
            return ()
        }
    }

    func deleteSessions(id: String?, endedBefore created: Date, idleSince seen: Date) async throws {
        let logger = self.logger
        try await call("end sessions") { client in
            if let id {
                try await client.query("DELETE FROM sessions WHERE id = \(id)", logger: logger)
            }
            try await client.query("DELETE FROM sessions WHERE created < \(created) OR last_seen < \(seen)", logger: logger)
            return ()
        }
    }
}
