import Foundation
import Logging
import PostgresNIO
import SwitchboardAPI

/// The schema: ``StorageSchema``'s steps, applied at start under a lock of their own.
extension PostgresStorage {
    /// Applies the schema steps the database lacks (``StorageSchema``) under an advisory lock of
    /// their own, so that replicas starting together do not race; each step and its record in one
    /// transaction. A database of a server before versioned storage (tables made with IF NOT
    /// EXISTS, nothing recorded) takes the steps as they are: its first ones change nothing there.
    func migrate() async throws {
        let logger = self.logger
        let database = "PostgreSQL \(address)"
        try await call("create its tables") { client in
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(Self.schemaLock))", logger: logger)
                do {
                    try await Self.migrate(connection, database: database, logger: logger)
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.schemaLock))", logger: logger)  // the error below says why; the lock ends with the connection anyway
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.schemaLock))", logger: logger)
            }
        }
    }

    static func migrate(_ connection: PostgresConnection, database: String, logger: Logger) async throws {
        try await connection.query("CREATE TABLE IF NOT EXISTS \(unescaped: StorageSchema.recordTable) (position INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)", logger: logger)
        var applied: [String] = []
        for try await name in try await connection.query("SELECT name FROM \(unescaped: StorageSchema.recordTable) ORDER BY position", logger: logger).decode(String.self) {
            applied.append(name)
        }
        for (position, migration) in try StorageSchema.pending(applied: applied, database: database) {
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in migration.postgres { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO \(unescaped: StorageSchema.recordTable) (position, name, applied_at) VALUES (\(position), \(migration.name), \(Date()))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)  // the step's own error is the one to report
                throw StorageError("\(database): schema step \(position) \"\(migration.name)\" failed, and was rolled back: \(String(reflecting: error).prefix(500))")
            }
        }
    }

    public func appliedMigrations() async throws -> [String] {
        let logger = self.logger
        return try await call("read its schema steps") { client in
            var names: [String] = []
            for try await name in try await client.query("SELECT name FROM \(unescaped: StorageSchema.recordTable) ORDER BY position", logger: logger).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }
}
