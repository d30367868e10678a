import Foundation
import GRDB
import SwitchboardAPI

/// The server's storage in one SQLite file (GRDB), for one replica: sessions stay in memory
/// and this replica always runs the controllers. Writes are serialised by GRDB's queue.
public final class SQLiteStorage: ServerStorage {
    let database: DatabaseQueue
    let path: String

    /// Opens (and creates or migrates) the file at `path`; `:memory:` for tests.
    public init(path: String) throws {
        self.path = path
        if path != ":memory:" {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        do {
            database = path == ":memory:" ? try DatabaseQueue() : try DatabaseQueue(path: path)
        } catch {
            throw StorageError("Cannot open the audit log \(path): \(error)")
        }
        try Self.migrate(database, path: path)
    }

    public var description: String { "SQLite \(path)" }
    public var sharedSessions: (any SessionKeeper)? { nil }
    public var lease: any ControllerLease { SoleReplica() }

    /// Applies the schema steps this file lacks (``StorageSchema``) in one write transaction.
    /// A file written by the GRDB migrator of servers before versioned storage has its steps
    /// recorded in `grdb_migrations`: they are taken over as they are.
    static func migrate(_ database: DatabaseQueue, path: String) throws {
        try database.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS \(StorageSchema.recordTable) (position INTEGER PRIMARY KEY, name TEXT NOT NULL, appliedAt TEXT NOT NULL)")
            var applied = try String.fetchAll(db, sql: "SELECT name FROM \(StorageSchema.recordTable) ORDER BY position")
            if applied.isEmpty, try db.tableExists("grdb_migrations") {
                let recorded = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                applied = StorageSchema.migrations.prefix { recorded.contains($0.name) }.map(\.name)
                guard applied.count == recorded.count else {
                    throw StorageError("SQLite \(path) records schema steps this Switchboard does not know in order (\(recorded.sorted().joined(separator: ", "))); nothing was changed.")
                }
                for (index, name) in applied.enumerated() {
                    try record(db, position: index + 1, name: name)
                }
            }
            for (position, migration) in try StorageSchema.pending(applied: applied, database: "SQLite \(path)") {
                for statement in migration.sqlite { try db.execute(sql: statement) }
                try record(db, position: position, name: migration.name)
            }
        }
    }

    static func record(_ db: Database, position: Int, name: String) throws {
        try db.execute(sql: "INSERT INTO \(StorageSchema.recordTable) (position, name, appliedAt) VALUES (?, ?, ?)", arguments: [position, name, ISO8601DateFormatter().string(from: Date())])
    }

    public func insertLogLevelChange(_ change: LogLevelChange) async throws -> LogLevelChange {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO log_levels (cluster, logger, level, previous, user, at, revertAt, revertedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [change.cluster, change.logger, change.level, change.previous, change.user, change.at, change.revertAt, change.revertedAt])
            var stored = change
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func logLevelChanges(cluster: String?, limit: Int) async throws -> [LogLevelChange] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM log_levels\(cluster == nil ? "" : " WHERE cluster = ?") ORDER BY id DESC LIMIT ?",
                                        arguments: StatementArguments(cluster.map { [$0, limit] as [any DatabaseValueConvertible] } ?? [limit]))
            return rows.map(Self.logLevelChange)
        }
    }

    public func openLogLevelChanges() async throws -> [LogLevelChange] {
        try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM log_levels WHERE revertedAt IS NULL ORDER BY id").map(Self.logLevelChange) }
    }

    public func markLogLevelReverted(id: Int64, at date: Date) async throws {
        try await database.write { db in try db.execute(sql: "UPDATE log_levels SET revertedAt = ? WHERE id = ?", arguments: [date, id]) }
    }

    static func logLevelChange(_ row: Row) -> LogLevelChange {
        LogLevelChange(id: row["id"], cluster: row["cluster"], logger: row["logger"], level: row["level"], previous: row["previous"], user: row["user"],
                       at: row["at"], revertAt: row["revertAt"], revertedAt: row["revertedAt"])
    }

    public func appliedMigrations() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT name FROM \(StorageSchema.recordTable) ORDER BY position") }
    }

    public func insertAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await database.write { db in
            var entry = entry
            try entry.insert(db)
            return entry
        }
    }

    public func auditEntries(limit: Int, cluster: String?, connector: String?, team: String?) async throws -> [AuditEntry] {
        try await database.read { db in
            var request = AuditEntry.order(Column("id").desc).limit(limit)
            if let cluster, let connector {
                request = request.filter(Column("cluster") == cluster && Column("connector") == connector)
            }
            if let team { request = request.filter(Column("team") == team) }
            return try request.fetchAll(db)
        }
    }

    public func insertAudit(batch entries: [AuditEntry]) async throws {
        try await database.write { db in
            for var entry in entries { try entry.insert(db) }
        }
    }

    public func deleteAudit(before date: Date, limit: Int) async throws -> Int {
        try await database.write { db in
            // The oldest rows first, by id (ids grow with time); `at` bounds them.
            try db.execute(sql: #"DELETE FROM "audit" WHERE "id" IN (SELECT "id" FROM "audit" WHERE "at" < ? ORDER BY "at" LIMIT ?)"#, arguments: [date, limit])
            return db.changesCount
        }
    }

    public func auditConnectorsWithoutTeam(limit: Int) async throws -> [(cluster: String, connector: String)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: #"SELECT DISTINCT "cluster", "connector" FROM "audit" WHERE "team" IS NULL AND "connector" != '-' LIMIT ?"#, arguments: [limit])
                .map { ($0["cluster"], $0["connector"]) }
        }
    }

    public func setAuditTeam(_ team: String, cluster: String, connector: String) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: #"UPDATE "audit" SET "team" = ? WHERE "cluster" = ? AND "connector" = ? AND "team" IS NULL"#, arguments: [team, cluster, connector])
            return db.changesCount
        }
    }

    public func insertToken(_ token: APIToken) async throws -> APIToken {
        try await database.write { db in
            var token = token
            try token.insert(db)
            return token
        }
    }

    public func token(hash: String) async throws -> APIToken? {
        try await database.read { db in try APIToken.filter(Column("hash") == hash).fetchOne(db) }
    }

    public func token(id: Int64, user: String) async throws -> APIToken? {
        try await database.read { db in try APIToken.filter(Column("id") == id && Column("user") == user).fetchOne(db) }
    }

    public func updateToken(_ token: APIToken) async throws {
        try await database.write { db in try token.update(db) }
    }

    public func tokens(user: String) async throws -> [APIToken] {
        try await database.read { db in try APIToken.filter(Column("user") == user).order(Column("id").desc).fetchAll(db) }
    }

    public func gitopsClusters() async throws -> [GitOpsClusterRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT cluster, appliedHash, appliedAt, matchedHash FROM gitops_clusters").map { row in
                GitOpsClusterRow(cluster: row["cluster"], appliedHash: row["appliedHash"], appliedAt: row["appliedAt"], matchedHash: row["matchedHash"])
            }
        }
    }

    public func saveGitopsCluster(_ row: GitOpsClusterRow) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO gitops_clusters (cluster, appliedHash, appliedAt, matchedHash) VALUES (?, ?, ?, ?)
                ON CONFLICT(cluster) DO UPDATE SET appliedHash = excluded.appliedHash, appliedAt = excluded.appliedAt, matchedHash = excluded.matchedHash
                """, arguments: [row.cluster, row.appliedHash, row.appliedAt, row.matchedHash])
        }
    }

    public func servedCommit() async throws -> String? {
        try await database.read { db in try String.fetchOne(db, sql: "SELECT hash FROM gitops_served WHERE id = 1") }
    }

    public func requestSync(cluster: String?, by user: String) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO gitops_requests (cluster, user) VALUES (?, ?)", arguments: [cluster ?? "", user])
        }
    }

    public func takeSyncRequests() async throws -> [(cluster: String?, user: String)] {
        try await database.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT cluster, user FROM gitops_requests ORDER BY id")
            try db.execute(sql: "DELETE FROM gitops_requests")
            return rows.map { row in
                let cluster: String = row["cluster"]
                return (cluster.isEmpty ? nil : cluster, row["user"])
            }
        }
    }

    public func saveGitopsStatus(_ status: GitOpsStatus) async throws {
        let json = String(decoding: try JSONEncoder.storage.encode(status), as: UTF8.self)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO gitops_status (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json", arguments: [json])
        }
    }

    public func gitopsStatus() async throws -> GitOpsStatus? {
        guard let json = try await database.read({ db in try String.fetchOne(db, sql: "SELECT json FROM gitops_status WHERE id = 1") }) else { return nil }
        return try JSONDecoder.storage.decode(GitOpsStatus.self, from: Data(json.utf8))
    }

    public func controllerState(prefix: String) async throws -> [String: String] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key, json FROM controller_state WHERE substr(key, 1, ?) = ?", arguments: [prefix.unicodeScalars.count, prefix])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as String, $0["json"] as String) })
        }
    }

    public func saveControllerState(_ documents: [String: String], deleting: [String]) async throws {
        try await database.write { db in
            let now = Date()
            for (key, json) in documents {
                try db.execute(sql: "INSERT INTO controller_state (key, json, updatedAt) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET json = excluded.json, updatedAt = excluded.updatedAt",
                               arguments: [key, json, now])
            }
            for key in deleting { try db.execute(sql: "DELETE FROM controller_state WHERE key = ?", arguments: [key]) }
        }
    }

    public func serveCommit(_ hash: String) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO gitops_served (id, hash) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET hash = excluded.hash", arguments: [hash])
        }
    }
}
