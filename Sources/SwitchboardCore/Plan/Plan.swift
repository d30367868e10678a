/// What `apply` would do: per cluster, the changes that bring it to the catalog, what is already
/// as the catalog wants it, and what is not Switchboard's to touch. A plain value: print it,
/// encode it as JSON, or hand it to the applier.
public struct Plan: Sendable, Codable, Equatable {
    public var clusters: [ClusterPlan]

    public init(clusters: [ClusterPlan]) {
        self.clusters = clusters
    }

    public var changes: [Change] { clusters.flatMap(\.changes) }
    public var hasChanges: Bool { clusters.contains { !$0.changes.isEmpty } }

    /// Counts per action.
    public var summary: Summary {
        var summary = Summary()
        for change in changes {
            switch change.action {
            case .create: summary.create += 1
            case .update: summary.update += 1
            case .delete: summary.delete += 1
            case .changeState: summary.changeState += 1
            }
        }
        summary.unchanged = clusters.reduce(0) { $0 + $1.unchanged.count }
        summary.unmanaged = clusters.reduce(0) { $0 + $1.unmanaged.count }
        return summary
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var create = 0
        public var update = 0
        public var delete = 0
        public var changeState = 0
        public var unchanged = 0
        public var unmanaged = 0
    }
}

/// The plan of one cluster.
public struct ClusterPlan: Sendable, Codable, Equatable {
    public var cluster: String
    public var changes: [Change]
    /// Managed connectors that already match the catalog.
    public var unchanged: [String]
    /// Connectors whose name carries no catalog team: listed, never touched.
    public var unmanaged: [String]

    public init(cluster: String, changes: [Change], unchanged: [String], unmanaged: [String]) {
        self.cluster = cluster
        self.changes = changes
        self.unchanged = unchanged
        self.unmanaged = unmanaged
    }
}

/// One change to one connector.
public struct Change: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        case create, update, delete
        case changeState = "change-state"
    }

    public var action: Action
    public var cluster: String
    /// The name on the cluster.
    public var connector: String
    public var team: String?
    /// The catalog file that defines it (nil for a delete).
    public var source: SourceLocation?
    /// Key-level differences, with secret values masked.
    public var keyChanges: [KeyChange]
    /// The state Connect reports now (nil for a create).
    public var fromState: String?
    /// The state the catalog wants (nil for a delete).
    public var toState: DesiredState?
    /// Whether the change moves the connector to another state (pause, resume, stop).
    public var changesState: Bool
    /// The full config to send for a create or update. Never encoded: it is for the applier only.
    public var config: [String: String]?

    public init(action: Action, cluster: String, connector: String, team: String?, source: SourceLocation?, keyChanges: [KeyChange] = [], fromState: String? = nil, toState: DesiredState? = nil, changesState: Bool = false, config: [String: String]? = nil) {
        self.action = action
        self.cluster = cluster
        self.connector = connector
        self.team = team
        self.source = source
        self.keyChanges = keyChanges
        self.fromState = fromState
        self.toState = toState
        self.changesState = changesState
        self.config = config
    }

    enum CodingKeys: String, CodingKey {
        case action, cluster, connector, team, source, keyChanges, fromState, toState, changesState
    }
}

/// One key that differs between the catalog and the cluster.
public struct KeyChange: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case added, removed, changed }
    public var key: String
    public var kind: Kind
    /// The value on the cluster (masked if secret).
    public var old: String?
    /// The value in the catalog (masked if secret).
    public var new: String?

    public init(key: String, kind: Kind, old: String?, new: String?) {
        self.key = key
        self.kind = kind
        self.old = old
        self.new = new
    }
}
