import Foundation
import Logging
import PostgresNIO
import SwitchboardAPI

/// Logger levels changed through Switchboard, to put back in time.
extension PostgresStorage {
    public func insertLogLevelChange(_ change: LogLevelChange) async throws -> LogLevelChange {
        let logger = self.logger
        let id = try await call("record a log level change") { client in
            let rows = try await client.query("""
                INSERT INTO log_levels (cluster, logger, level, previous, "user", at, revert_at, reverted_at)
                VALUES (\(change.cluster), \(change.logger), \(change.level), \(change.previous), \(change.user), \(change.at), \(change.revertAt), \(change.revertedAt)) RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw StorageError("no id came back")
        }
        var stored = change
        stored.id = id
        return stored
    }

    public func logLevelChanges(cluster: String?, limit: Int) async throws -> [LogLevelChange] {
        var query: PostgresQuery = #"SELECT id, cluster, logger, level, previous, "user", at, revert_at, reverted_at FROM log_levels "#
        if let cluster {
            query.sql += "WHERE cluster = $1 ORDER BY id DESC LIMIT $2"
            try query.binds.append(cluster, context: .default)
        } else {
            query.sql += "ORDER BY id DESC LIMIT $1"
        }
        try query.binds.append(limit, context: .default)
        return try await logLevelChanges("read the log level changes", query)
    }

    public func openLogLevelChanges() async throws -> [LogLevelChange] {
        try await logLevelChanges("read the log level changes to restore",
                                  #"SELECT id, cluster, logger, level, previous, "user", at, revert_at, reverted_at FROM log_levels WHERE reverted_at IS NULL ORDER BY id"#)
    }

    public func markLogLevelReverted(id: Int64, at date: Date) async throws {
        let logger = self.logger
        try await call("note a restored log level") { client in
            try await client.query("UPDATE log_levels SET reverted_at = \(date) WHERE id = \(id)", logger: logger)
            return ()
        }
    }

    func logLevelChanges(_ what: String, _ query: PostgresQuery) async throws -> [LogLevelChange] {
        let logger = self.logger
        return try await call(what) { client in
            var changes: [LogLevelChange] = []
            let rows = try await client.query(query, logger: logger)
            for try await (id, cluster, name, level, previous, user, at, revertAt, revertedAt)
                in rows.decode((Int64, String, String, String, String, String, Date, Date, Date?).self) {
                changes.append(LogLevelChange(id: id, cluster: cluster, logger: name, level: level, previous: previous, user: user, at: at, revertAt: revertAt, revertedAt: revertedAt))
            }
            return changes
        }
    }
}
