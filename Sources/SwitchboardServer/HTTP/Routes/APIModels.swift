import ConnectClient
import Foundation
import SwitchboardCore

/// The JSON API's answers (described in OpenAPIDocument's schemas).
extension APIRoutes {
    struct ConnectorSummary: Codable, Sendable {
        var name: String
        var cluster: String
        var team: String?
        /// Connect's state.
        var state: String
        /// FAILED (also when meant to run with no task running), DEGRADED, or `state`.
        var health: String
        var degraded: Bool
        var type: String?
        var connectorClass: String?
        var tasksRunning: Int
        var tasksTotal: Int
        var managed: Bool
        /// What the next apply does with it (`managed`, `deleted-by-next-apply`, `protected`, ...).
        var ownership: Ownership
        var drifts: Bool
        /// What the auto-restart controller did, once it restarted or gave up on it.
        var autoRestart: AutoRestartStatus?

        init(_ connector: ConnectorView) {
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
        }
    }

    struct ClusterSummary: Codable, Sendable {
        var name: String
        var reachable: Bool
        var readAt: Date?
        var lastError: String?
        var connectVersion: String?
        var connectors: Int
        var workers: [ClusterView.Worker]
        var plugins: [ClusterView.Plugin]

        init(_ cluster: ClusterView) {
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

    struct ConnectorPage: Codable, Sendable {
        var total: Int
        var offset: Int
        var limit: Int
        var counts: StateCounts
        var connectors: [ConnectorSummary]
        var clusters: [ClusterSummary]
        var snapshotTakenAt: Date
    }

    struct ConnectorDetail: Codable, Sendable {
        /// Without config, traces and drift when the user's role is viewer.
        var connector: ConnectorView
        /// Whether the user may operate it (`capabilities` contains `operate`).
        var canAct: Bool
        var role: Role
        var capabilities: [Capability]
        var audit: [AuditEntry]
        /// Why `audit` is empty, when the audit log could not be read.
        var auditError: String?
    }

    /// The answer to an action; offsets changes carry the offsets before and after.
    struct Done: Codable, Sendable {
        var result: String
        var action: String
        var offsets: ConnectorActions.OffsetsChange?
    }

    struct Me: Codable, Sendable {
        var user: User
        var admin: Bool
        /// The teams the user owns.
        var teams: [String]
        /// Every team that grants the user a role, with the role.
        var roles: [String: Role]
        var csrfToken: String
    }

    struct TeamSummary: Codable, Sendable {
        var name: String
        var description: String?
        var members: Principals
        var receivers: [String]
        var connectors: [ConnectorSummary]
    }
}
