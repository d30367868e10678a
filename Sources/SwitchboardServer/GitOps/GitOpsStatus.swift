import Foundation
import GRDB
import Reconciler
import SwitchboardCore

/// What the GitOps controller knows and shows: the repository it follows, the commit it serves,
/// a commit it refused, and per cluster what it applied, when, and what is pending.
public struct GitOpsStatus: Sendable, Codable, Equatable {
    /// The repository as shown (credentials in a URL are masked).
    public var repository: String
    public var branch: String
    public var folder: String?
    /// The newest commit of the branch at the last fetch.
    public var fetched: GitRepository.Commit?
    public var fetchedAt: Date?
    /// Why the last fetch failed (scrubbed); nil when it worked.
    public var fetchError: String?
    /// The last good commit: the catalog the server shows and applies.
    public var current: GitRepository.Commit?
    /// The newest commit that was refused, and why (nil once a newer good commit loads).
    public var rejected: Rejected?
    public var lastSyncAt: Date?
    /// Commits between the commit served and the branch's newest one.
    public var commitsBehind: Int
    public var clusters: [ClusterSync]

    public struct Rejected: Sendable, Codable, Equatable {
        public var commit: GitRepository.Commit
        public var at: Date
        /// Each problem on a line of its own, scrubbed.
        public var problems: [String]
    }

    public init(repository: String, branch: String, folder: String?) {
        self.repository = Scrubber.scrub(repository)
        self.branch = branch
        self.folder = folder
        self.commitsBehind = 0
        self.clusters = []
    }

    public func cluster(_ name: String) -> ClusterSync? {
        clusters.first { $0.cluster == name }
    }
}

/// One cluster under the controller.
public struct ClusterSync: Sendable, Codable, Equatable {
    public enum Result: String, Sendable, Codable, CaseIterable {
        /// The cluster matches the commit served.
        case inSync = "in-sync"
        /// Every change of the last sync was applied.
        case applied
        /// Some changes failed (each outcome says why); retried at the next sync.
        case failed
        /// The guards refused the plan (deletion limit, Connect's validation): nothing was written.
        case refused
        /// `mode: manual`: the plan waits for someone to apply it.
        case pending
        /// Changes made behind Switchboard's back, reported only (`drift: report`).
        case drifted
        /// The cluster could not be read.
        case unreachable
    }

    /// How one change of a sync ended.
    public struct Outcome: Sendable, Codable, Equatable {
        public var connector: String
        public var action: String
        public var result: String
        public var detail: String?
    }

    public var cluster: String
    public var mode: GitOpsSettings.Mode
    public var drift: GitOpsSettings.Drift
    public var result: Result
    /// What the result means, in a sentence (the refusal, the unreachable cluster's error).
    public var detail: String?
    /// The last commit the controller applied here, and when.
    public var applied: GitRepository.Commit?
    public var appliedAt: Date?
    /// The newest commit whose plan the cluster matched (for "commits behind").
    public var matched: GitRepository.Commit?
    public var outcomes: [Outcome]
    /// What a sync would change now (secret values masked).
    public var pending: [Change]
    /// Managed connectors whose live config or state differs from the catalog although the
    /// commit served was applied: changed behind Switchboard's back.
    public var drifting: [String]
    public var commitsBehind: Int
    public var checkedAt: Date?
}

/// What a server following a repository starts with.
public struct GitOpsStart: Sendable {
    public var catalog: Catalog
    public var connections: ClusterConnections
    /// The commit served.
    public var commit: GitRepository.Commit
    /// The branch's newest commit, when it could be fetched.
    public var fetched: GitRepository.Commit?
    /// The newest commit when it was refused (the commit served is then an earlier one).
    public var rejected: GitOpsStatus.Rejected?
}

/// The controller's memory across restarts, in the audit log's database: per cluster the last
/// commit applied and the last one matched. Without it, a restart would take every drift of a
/// `drift: report` cluster for an unapplied commit and correct it.
struct GitOpsLedger: Sendable {
    let database: DatabaseQueue

    struct Row: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "gitops_clusters"
        var cluster: String
        var appliedHash: String?
        var appliedAt: Date?
        var matchedHash: String?
    }

    static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("gitops clusters") { db in
            try db.create(table: Row.databaseTableName) { table in
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
    }

    /// The commit served last (to start with when the newest one has problems).
    func served() throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT hash FROM gitops_served WHERE id = 1") }
    }

    func serve(_ hash: String) throws {
        try database.write { db in try db.execute(sql: "INSERT INTO gitops_served (id, hash) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET hash = excluded.hash", arguments: [hash]) }
    }

    func rows() throws -> [String: Row] {
        try database.read { db in
            Dictionary(try Row.fetchAll(db).map { ($0.cluster, $0) }) { first, _ in first }
        }
    }

    func save(_ row: Row) throws {
        try database.write { db in try row.save(db) }
    }
}
