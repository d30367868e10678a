import Foundation
import SwitchboardCore

/// What the GitOps controller knows and shows: the repository it follows, the commit it serves,
/// a commit it refused, and per cluster what it applied, when, and what is pending.
public struct GitOpsStatus: Sendable, Codable, Equatable {
    /// The repository as shown (credentials in a URL are masked).
    public var repository: String
    public var branch: String
    public var folder: String?
    /// The newest commit of the branch at the last fetch.
    public var fetched: Commit?
    public var fetchedAt: Date?
    /// Why the last fetch failed (scrubbed); nil when it worked.
    public var fetchError: String?
    /// The last good commit: the catalog the server shows and applies.
    public var current: Commit?
    /// The newest commit that was refused, and why (nil once a newer good commit loads).
    public var rejected: Rejected?
    public var lastSyncAt: Date?
    /// How long the last sync took, fetch to last outcome (seconds).
    public var lastSyncSeconds: Double?
    /// Commits between the commit served and the branch's newest one.
    public var commitsBehind: Int
    public var clusters: [ClusterSync]

    public struct Rejected: Sendable, Codable, Equatable {
        public var commit: Commit
        public var at: Date
        /// Each problem on a line of its own, scrubbed.
        public var problems: [String]

        public init(commit: Commit, at: Date, problems: [String]) {
            self.commit = commit
            self.at = at
            self.problems = problems
        }
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

        public init(connector: String, action: String, result: String, detail: String? = nil) {
            self.connector = connector
            self.action = action
            self.result = result
            self.detail = detail
        }
    }

    public var cluster: String
    public var mode: GitOpsSettings.Mode
    public var drift: GitOpsSettings.Drift
    public var result: Result
    /// What the result means, in a sentence (the refusal, the unreachable cluster's error).
    public var detail: String?
    /// The last commit the controller applied here, and when.
    public var applied: Commit?
    public var appliedAt: Date?
    /// The newest commit whose plan the cluster matched (for "commits behind").
    public var matched: Commit?
    public var outcomes: [Outcome]
    /// What a sync would change now (secret values masked).
    public var pending: [Change]
    /// Managed connectors whose live config or state differs from the catalog although the
    /// commit served was applied: changed behind Switchboard's back.
    public var drifting: [String]
    public var commitsBehind: Int
    public var checkedAt: Date?
    /// Changes of this commit held until an owner of each affected team approves them
    /// (`policy.impact.crossTeam: require-approval`); the other changes apply. Nil: none.
    public var held: [HeldChange]?

    public init(cluster: String, mode: GitOpsSettings.Mode, drift: GitOpsSettings.Drift, result: Result, detail: String? = nil, applied: Commit? = nil, appliedAt: Date? = nil, matched: Commit? = nil, outcomes: [Outcome], pending: [Change], drifting: [String], commitsBehind: Int, checkedAt: Date? = nil) {
        self.cluster = cluster
        self.mode = mode
        self.drift = drift
        self.result = result
        self.detail = detail
        self.applied = applied
        self.appliedAt = appliedAt
        self.matched = matched
        self.outcomes = outcomes
        self.pending = pending
        self.drifting = drifting
        self.commitsBehind = commitsBehind
        self.checkedAt = checkedAt
    }
}

/// A change that stops or changes the input of other teams' connectors, held until an owner of
/// each of those teams approves it for the commit served.
public struct HeldChange: Sendable, Codable, Equatable {
    public struct Approval: Sendable, Codable, Equatable {
        public var team: String
        public var user: String
        public var at: Date

        public init(team: String, user: String, at: Date) {
            (self.team, self.user, self.at) = (team, user, at)
        }
    }

    public var connector: String
    public var action: String
    /// The commit it belongs to: approvals are for one commit.
    public var commit: String
    /// The teams whose approval it needs.
    public var teams: [String]
    public var approvals: [Approval]
    /// What it does to whom, a line each (the plan's words).
    public var impact: [String]

    public init(connector: String, action: String, commit: String, teams: [String], approvals: [Approval], impact: [String]) {
        (self.connector, self.action, self.commit, self.teams, self.approvals, self.impact) = (connector, action, commit, teams, approvals, impact)
    }

    /// Affected teams not approved yet.
    public var waitingFor: [String] { teams.filter { team in !approvals.contains { $0.team == team } } }
}

/// `POST /api/v1/gitops/clusters/{cluster}/approvals`: an owner of `team` agrees to a held change.
public struct ImpactApprovalRequest: Sendable, Codable, Equatable {
    public var connector: String
    public var team: String

    public init(connector: String, team: String) {
        (self.connector, self.team) = (connector, team)
    }
}

/// One commit, as the UI and the audit log describe it.
public struct Commit: Sendable, Equatable, Codable {
    public var hash: String
    public var author: String
    public var subject: String
    public var date: Date

    public init(hash: String, author: String, subject: String, date: Date) {
        (self.hash, self.author, self.subject, self.date) = (hash, author, subject, date)
    }

    public var short: String { String(hash.prefix(10)) }
    /// `3f2a1b9c0d (Ana: Add orders sink)`.
    public var summary: String { "\(short) (\(author): \(subject))" }
}
