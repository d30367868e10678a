import Foundation
import GRDB
import Logging
import SwitchboardCore

/// One action or refused action: who, when, what, on which connector, and how it ended.
/// Never a config value: `detail` holds Connect's error message, scrubbed of secret values.
public struct AuditEntry: Sendable, Codable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Outcome: String, Sendable, Codable, DatabaseValueConvertible {
        case succeeded, failed, denied
    }

    public var id: Int64?
    public var at: Date
    public var user: String
    public var action: String
    public var cluster: String
    public var connector: String
    public var task: Int?
    public var outcome: Outcome
    public var detail: String?
    /// Offset resets and alters: the connector's offsets before and after (JSON, scrubbed).
    public var offsetsBefore: String?
    public var offsetsAfter: String?

    public static let databaseTableName = "audit"

    public init(at: Date = Date(), user: String, action: String, cluster: String, connector: String, task: Int? = nil, outcome: Outcome, detail: String? = nil,
                offsetsBefore: String? = nil, offsetsAfter: String? = nil) {
        self.at = at
        self.user = user
        self.action = action
        self.cluster = cluster
        self.connector = connector
        self.task = task
        self.outcome = outcome
        self.detail = detail
        self.offsetsBefore = offsetsBefore
        self.offsetsAfter = offsetsAfter
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The audit log, in SQLite (GRDB). Writes are serialised by GRDB's queue. The same database
/// holds the API tokens (``APITokens``), so one `--audit-db` file is the server's whole state.
public final class AuditLog: Sendable {
    let database: DatabaseQueue

    /// Opens (and creates or migrates) the log at `path`; `:memory:` for tests.
    public init(path: String) throws {
        if path != ":memory:" {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        do {
            database = path == ":memory:" ? try DatabaseQueue() : try DatabaseQueue(path: path)
        } catch {
            throw ServerError("Cannot open the audit log \(path): \(error)")
        }
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
        APITokens.migrate(&migrator)
        GitOpsLedger.migrate(&migrator)
        try migrator.migrate(database)
    }

    /// Stores an entry; every text in it goes through the scrubber first, so the log never
    /// holds a secret whatever a caller passes.
    @discardableResult
    public func record(_ entry: AuditEntry) throws -> AuditEntry {
        var entry = entry
        entry.user = Scrubber.scrub(entry.user)
        entry.action = Scrubber.scrub(entry.action)
        entry.cluster = Scrubber.scrub(entry.cluster)
        entry.connector = Scrubber.scrub(entry.connector)
        entry.detail = entry.detail.map { Scrubber.scrub($0) }
        entry.offsetsBefore = entry.offsetsBefore.map { Scrubber.scrub($0) }
        entry.offsetsAfter = entry.offsetsAfter.map { Scrubber.scrub($0) }
        try database.write { db in try entry.insert(db) }
        return entry
    }

    /// The newest entries first; optionally of one connector.
    public func recent(limit: Int = 100, cluster: String? = nil, connector: String? = nil) throws -> [AuditEntry] {
        try database.read { db in
            var request = AuditEntry.order(Column("id").desc).limit(limit)
            if let cluster, let connector {
                request = request.filter(Column("cluster") == cluster && Column("connector") == connector)
            }
            return try request.fetchAll(db)
        }
    }
}

/// Audit rows for a page or an answer. A log that cannot be read is said (and logged), never
/// shown as an empty history.
struct AuditRows: Sendable {
    var entries: [AuditEntry]
    /// Why `entries` is empty, when reading failed (scrubbed).
    var problem: String?

    /// The rows `user` may see: offsets before and after only where their role shows offsets
    /// (readers and up of a connector still in the snapshot; admins always).
    static func read(_ dependencies: ServerDependencies, for user: User, limit: Int, cluster: String? = nil, connector: String? = nil) -> AuditRows {
        read(dependencies.audit, logger: dependencies.logger, limit: limit, cluster: cluster, connector: connector) { entry in
            if dependencies.permissions.isAdmin(user) { return true }
            guard let connector = dependencies.store.current.connectors["\(entry.cluster)/\(entry.connector)"] else { return false }
            return dependencies.permissions.allows(.viewConfig, user, on: connector)
        }
    }

    static func read(_ audit: AuditLog, logger: Logger, limit: Int, cluster: String? = nil, connector: String? = nil, showsOffsets: (AuditEntry) -> Bool) -> AuditRows {
        do {
            return AuditRows(entries: try audit.recent(limit: limit, cluster: cluster, connector: connector).map { entry in
                guard entry.offsetsBefore != nil || entry.offsetsAfter != nil, !showsOffsets(entry) else { return entry }
                var hidden = entry
                (hidden.offsetsBefore, hidden.offsetsAfter) = (nil, nil)
                return hidden
            })
        } catch {
            let problem = Scrubber.scrub("The audit log cannot be read: \(error)")
            logger.error("\(problem)")
            return AuditRows(entries: [], problem: problem)
        }
    }
}
