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

/// The audit log, over the server's ``ServerStorage`` (one SQLite file by default, PostgreSQL
/// for several replicas), which also holds the API tokens and the GitOps controller's state.
public final class AuditLog: Sendable {
    public let storage: any ServerStorage

    /// The log in the SQLite file at `path` (created or migrated); `:memory:` for tests.
    public convenience init(path: String) throws {
        self.init(storage: try SQLiteStorage(path: path))
    }

    public init(storage: any ServerStorage) {
        self.storage = storage
    }

    /// Stores an entry; every text in it goes through the scrubber first, so the log never
    /// holds a secret whatever a caller passes.
    @discardableResult
    public func record(_ entry: AuditEntry) async throws -> AuditEntry {
        var entry = entry
        entry.user = Scrubber.scrub(entry.user)
        entry.action = Scrubber.scrub(entry.action)
        entry.cluster = Scrubber.scrub(entry.cluster)
        entry.connector = Scrubber.scrub(entry.connector)
        entry.detail = entry.detail.map { Scrubber.scrub($0) }
        entry.offsetsBefore = entry.offsetsBefore.map { Scrubber.scrub($0) }
        entry.offsetsAfter = entry.offsetsAfter.map { Scrubber.scrub($0) }
        return try await storage.insertAudit(entry)
    }

    /// The newest entries first; optionally of one connector.
    public func recent(limit: Int = 100, cluster: String? = nil, connector: String? = nil) async throws -> [AuditEntry] {
        try await storage.auditEntries(limit: limit, cluster: cluster, connector: connector)
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
    static func read(_ dependencies: ServerDependencies, for user: User, limit: Int, cluster: String? = nil, connector: String? = nil) async -> AuditRows {
        await read(dependencies.audit, logger: dependencies.logger, limit: limit, cluster: cluster, connector: connector) { entry in
            if dependencies.permissions.isAdmin(user) { return true }
            guard let connector = dependencies.store.current.connectors["\(entry.cluster)/\(entry.connector)"] else { return false }
            return dependencies.permissions.allows(.viewConfig, user, on: connector)
        }
    }

    static func read(_ audit: AuditLog, logger: Logger, limit: Int, cluster: String? = nil, connector: String? = nil, showsOffsets: (AuditEntry) -> Bool) async -> AuditRows {
        do {
            return AuditRows(entries: try await audit.recent(limit: limit, cluster: cluster, connector: connector).map { entry in
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
