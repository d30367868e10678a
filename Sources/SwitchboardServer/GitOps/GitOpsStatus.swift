import Foundation
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
public struct GitOpsLedger: Sendable {
    let storage: any ServerStorage

    /// One cluster's record: the last commit applied to it, when, and the last it matched.
    public struct Row: Sendable, Codable, Equatable {
        public var cluster: String
        public var appliedHash: String?
        public var appliedAt: Date?
        public var matchedHash: String?

        public init(cluster: String, appliedHash: String? = nil, appliedAt: Date? = nil, matchedHash: String? = nil) {
            self.cluster = cluster
            self.appliedHash = appliedHash
            self.appliedAt = appliedAt
            self.matchedHash = matchedHash
        }
    }

    /// The commit served last (to start with when the newest one has problems).
    func served() async throws -> String? {
        try await storage.servedCommit()
    }

    func serve(_ hash: String) async throws {
        try await storage.serveCommit(hash)
    }

    func rows() async throws -> [String: Row] {
        Dictionary(try await storage.gitopsClusters().map { ($0.cluster, $0) }) { first, _ in first }
    }

    func save(_ row: Row) async throws {
        try await storage.saveGitopsCluster(row)
    }
}
