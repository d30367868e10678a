import ConnectClient
import Foundation
import SwitchboardCore

// The JSON API's answers. The server encodes these, the CLI decodes them, and the OpenAPI
// document's schemas are derived from them (``OpenAPIDocument``): one set of types.

/// A connector in a list.
public struct ConnectorSummary: Codable, Sendable, Equatable {
    public var name: String
    public var cluster: String
    public var team: String?
    /// Connect's state.
    public var state: String
    /// FAILED (also when meant to run with no task running), DEGRADED, or `state`.
    public var health: String
    public var degraded: Bool
    public var type: String?
    public var connectorClass: String?
    public var tasksRunning: Int
    public var tasksTotal: Int
    public var managed: Bool
    /// What the next apply does with it (`managed`, `deleted-by-next-apply`, `protected`, ...).
    public var ownership: Ownership
    public var drifts: Bool
    /// What the auto-restart controller did, once it restarted or gave up on it.
    public var autoRestart: AutoRestartStatus?
    /// Why it fails, in one line (the innermost cause of its trace or a failed task's).
    public var cause: String?

    public init(_ connector: ConnectorView) {
        name = connector.name
        cluster = connector.cluster
        team = connector.team
        state = connector.state
        health = connector.health
        degraded = connector.isDegraded
        type = connector.type
        connectorClass = connector.connectorClass
        tasksRunning = connector.tasks.filter { $0.state == "RUNNING" }.count
        tasksTotal = connector.tasks.count
        managed = connector.managed
        ownership = connector.ownership
        drifts = connector.drifts
        autoRestart = connector.restartStatus
        cause = connector.cause
    }
}

/// A cluster: whether it was read, its workers, plugins and Connect version.
public struct ClusterSummary: Codable, Sendable, Equatable {
    public var name: String
    public var reachable: Bool
    public var readAt: Date?
    public var lastError: String?
    public var connectVersion: String?
    public var connectors: Int
    public var workers: [ClusterView.Worker]
    public var plugins: [ClusterView.Plugin]

    public init(_ cluster: ClusterView) {
        name = cluster.name
        reachable = cluster.isReachable
        readAt = cluster.readAt
        lastError = cluster.lastError
        connectVersion = cluster.connectVersion
        connectors = cluster.connectorKeys.count
        workers = cluster.workers
        plugins = cluster.plugins
    }
}

/// A page of connectors (`GET /api/v1/connectors`).
public struct ConnectorList: Codable, Sendable, Equatable {
    public var total: Int
    public var offset: Int
    public var limit: Int
    /// `urgency` (failed, degraded, then the rest) or `name` (`<cluster>/<name>`).
    public var order: String
    public var counts: StateCounts
    public var connectors: [ConnectorSummary]
    /// Pass as `after` for the next page; absent on the last one. Stays valid across snapshots.
    public var next: String?
    public var clusters: [ClusterSummary]
    public var snapshotTakenAt: Date

    public init(total: Int, offset: Int, limit: Int, order: String, counts: StateCounts, connectors: [ConnectorSummary], next: String?, clusters: [ClusterSummary],
                snapshotTakenAt: Date) {
        (self.total, self.offset, self.limit, self.order, self.counts) = (total, offset, limit, order, counts)
        (self.connectors, self.next, self.clusters, self.snapshotTakenAt) = (connectors, next, clusters, snapshotTakenAt)
    }
}

/// One connector as the asking user may see it.
public struct ConnectorDetail: Codable, Sendable, Equatable {
    /// Without config, traces and drift when the user's role is viewer.
    public var connector: ConnectorView
    /// Whether the user may operate it (`capabilities` contains `operate`).
    public var canAct: Bool
    public var role: Role
    public var capabilities: [Capability]
    public var audit: [AuditEntry]
    /// Why `audit` is empty, when the audit log could not be read.
    public var auditError: String?

    public init(connector: ConnectorView, canAct: Bool, role: Role, capabilities: [Capability], audit: [AuditEntry], auditError: String?) {
        (self.connector, self.canAct, self.role, self.capabilities, self.audit, self.auditError) = (connector, canAct, role, capabilities, audit, auditError)
    }
}

/// What an offsets change did, as the audit row keeps it.
public struct OffsetsChange: Sendable, Equatable, Codable {
    public var before: ConnectorOffsets
    public var after: ConnectorOffsets?
    /// Connect's message.
    public var message: String

    public init(before: ConnectorOffsets, after: ConnectorOffsets?, message: String) {
        (self.before, self.after, self.message) = (before, after, message)
    }
}

/// The answer to an action; offsets changes carry the offsets before and after.
/// `POST /api/v1/connectors/actions/{action}`: what one action over a selection did (or, with
/// `dryRun`, would do) to each connector.
public struct BulkActionAnswer: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var cluster: String
        public var connector: String
        /// `done`, `refused` (the user's role does not allow it), `failed` (Connect's answer in
        /// `detail`), or with `dryRun`: `would-do` or `refused`.
        public var result: String
        public var detail: String?

        public init(cluster: String, connector: String, result: String, detail: String? = nil) {
            (self.cluster, self.connector, self.result, self.detail) = (cluster, connector, result, detail)
        }
    }

    public var action: String
    /// Ties the audit rows of this action together (`bulk <id>` in each row's detail).
    public var bulk: String
    public var dryRun: Bool
    public var selected: Int
    public var done: Int
    public var refused: Int
    public var failed: Int
    public var results: [Item]

    public init(action: String, bulk: String, dryRun: Bool, results: [Item]) {
        (self.action, self.bulk, self.dryRun, self.results) = (action, bulk, dryRun, results)
        selected = results.count
        done = results.filter { $0.result == "done" || $0.result == "would-do" }.count
        refused = results.filter { $0.result == "refused" }.count
        failed = results.filter { $0.result == "failed" }.count
    }
}

/// A cluster in maintenance: its running connectors were paused, and are resumed (exactly
/// those) when it ends; the auto-restart controller and GitOps hold off meanwhile.
public struct MaintenanceWindow: Codable, Sendable, Equatable {
    public var cluster: String
    public var user: String
    public var startedAt: Date
    /// The connectors it paused (RUNNING when it started), which the end resumes.
    public var paused: [String]

    public init(cluster: String, user: String, startedAt: Date, paused: [String]) {
        (self.cluster, self.user, self.startedAt, self.paused) = (cluster, user, startedAt, paused)
    }
}

/// The start or end of a maintenance window, with what was done to each connector.
public struct MaintenanceAnswer: Codable, Sendable, Equatable {
    public var window: MaintenanceWindow
    public var actions: BulkActionAnswer?

    public init(window: MaintenanceWindow, actions: BulkActionAnswer?) {
        (self.window, self.actions) = (window, actions)
    }
}

/// The body of a bulk action that names its connectors (`<cluster>/<name>` each) instead of filters.
public struct BulkSelection: Codable, Sendable, Equatable {
    public var connectors: [String]

    public init(connectors: [String]) {
        self.connectors = connectors
    }
}

public struct ActionDone: Codable, Sendable, Equatable {
    public var result: String
    public var action: String
    public var offsets: OffsetsChange?

    public init(result: String = "done", action: String, offsets: OffsetsChange? = nil) {
        (self.result, self.action, self.offsets) = (result, action, offsets)
    }
}

/// Who is asking (`GET /api/v1/me`).
public struct Me: Codable, Sendable, Equatable {
    public var user: User
    public var admin: Bool
    /// The teams the user owns.
    public var teams: [String]
    /// Every team that grants the user a role, with the role.
    public var roles: [String: Role]
    public var csrfToken: String

    public init(user: User, admin: Bool, teams: [String], roles: [String: Role], csrfToken: String) {
        (self.user, self.admin, self.teams, self.roles, self.csrfToken) = (user, admin, teams, roles, csrfToken)
    }
}

/// A catalog team and its connectors.
public struct TeamSummary: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    public var members: Principals
    public var receivers: [String]
    public var connectors: [ConnectorSummary]

    public init(name: String, description: String?, members: Principals, receivers: [String], connectors: [ConnectorSummary]) {
        (self.name, self.description, self.members, self.receivers, self.connectors) = (name, description, members, receivers, connectors)
    }
}

/// A personal API token as lists show it (never the token, never its hash).
public struct TokenSummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var name: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public init(id: Int64, name: String, createdAt: Date, expiresAt: Date, revokedAt: Date?, lastUsedAt: Date?) {
        (self.id, self.name, self.createdAt, self.expiresAt, self.revokedAt, self.lastUsedAt) = (id, name, createdAt, expiresAt, revokedAt, lastUsedAt)
    }
}

/// A token just made: the only time the token itself is shown.
public struct TokenCreated: Codable, Sendable, Equatable {
    public var token: String
    public var id: Int64
    public var name: String
    public var expiresAt: Date

    public init(token: String, id: Int64, name: String, expiresAt: Date) {
        (self.token, self.id, self.name, self.expiresAt) = (token, id, name, expiresAt)
    }
}

/// What a request asked the server to do later (a sync, an apply at the next sync).
public struct Queued: Codable, Sendable, Equatable {
    public var status: String
    public var detail: String?

    public init(status: String, detail: String? = nil) {
        (self.status, self.detail) = (status, detail)
    }
}

/// A request that was carried out and has nothing else to say (`{"result": "revoked"}`).
public struct Acknowledged: Codable, Sendable, Equatable {
    public var result: String

    public init(_ result: String) {
        self.result = result
    }
}

/// Every error answer: `{"error": "..."}`, scrubbed.
public struct APIError: Codable, Sendable, Equatable {
    public var error: String

    public init(_ error: String) {
        self.error = error
    }
}

/// What `POST /api/v1/tokens` takes.
public struct TokenRequest: Codable, Sendable, Equatable {
    /// The longest a token may be good for, in days.
    public static let maxDays = 365

    public var name: String
    public var days: Int?

    public init(name: String, days: Int? = nil) {
        (self.name, self.days) = (name, days)
    }
}
