import Foundation
import GRDB

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
            throw ServerError("Cannot open the audit log \(path): \(error)")
        }
        try Self.migrator.migrate(database)
    }

    public var description: String { "SQLite \(path)" }
    public var sharedSessions: (any SessionKeeper)? { nil }
    public var lease: any ControllerLease { SoleReplica() }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("create audit") { db in
            try db.create(table: AuditEntry.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("at", .datetime).notNull().indexed()
                table.column("user", .text).notNull()
                table.column("action", .text).notNull()
                table.column("cluster", .text).notNull()
                table.column("connector", .text).notNull()
                table.column("task", .integer)
                table.column("outcome", .text).notNull()
                table.column("detail", .text)
            }
            try db.create(index: "audit_on_connector", on: AuditEntry.databaseTableName, columns: ["cluster", "connector"])
        }
        migrator.registerMigration("offsets before and after") { db in
            try db.alter(table: AuditEntry.databaseTableName) { table in
                table.add(column: "offsetsBefore", .text)
                table.add(column: "offsetsAfter", .text)
            }
        }
        migrator.registerMigration("api tokens") { db in
            try db.create(table: APIToken.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("user", .text).notNull().indexed()
                table.column("groups", .text).notNull()
                table.column("source", .text).notNull()
                table.column("name", .text).notNull()
                table.column("hash", .text).notNull().unique()
                table.column("createdAt", .datetime).notNull()
                table.column("expiresAt", .datetime).notNull()
                table.column("revokedAt", .datetime)
                table.column("lastUsedAt", .datetime)
            }
        }
        migrator.registerMigration("gitops clusters") { db in
            try db.create(table: "gitops_clusters") { table in
                table.primaryKey("cluster", .text)
                table.column("appliedHash", .text)
                table.column("appliedAt", .datetime)
                table.column("matchedHash", .text)
            }
            try db.create(table: "gitops_served") { table in
                table.primaryKey("id", .integer)
                table.column("hash", .text).notNull()
            }
        }
        migrator.registerMigration("gitops requests") { db in
            try db.create(table: "gitops_requests") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("cluster", .text).notNull()
                table.column("user", .text).notNull()
            }
            try db.create(table: "gitops_status") { table in
                table.primaryKey("id", .integer)
                table.column("json", .text).notNull()
            }
        }
        return migrator
    }

    public func insertAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await database.write { db in
            var entry = entry
            try entry.insert(db)
            return entry
        }
    }

    public func auditEntries(limit: Int, cluster: String?, connector: String?) async throws -> [AuditEntry] {
        try await database.read { db in
            var request = AuditEntry.order(Column("id").desc).limit(limit)
            if let cluster, let connector {
                request = request.filter(Column("cluster") == cluster && Column("connector") == connector)
            }
            return try request.fetchAll(db)
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

    public func gitopsClusters() async throws -> [GitOpsLedger.Row] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT cluster, appliedHash, appliedAt, matchedHash FROM gitops_clusters").map { row in
                GitOpsLedger.Row(cluster: row["cluster"], appliedHash: row["appliedHash"], appliedAt: row["appliedAt"], matchedHash: row["matchedHash"])
            }
        }
    }

    public func saveGitopsCluster(_ row: GitOpsLedger.Row) async throws {
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

    public func serveCommit(_ hash: String) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO gitops_served (id, hash) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET hash = excluded.hash", arguments: [hash])
        }
    }
}
