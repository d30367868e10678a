/// What `apply` would do: per cluster, the changes that bring it to the catalog, what is already
/// as the catalog wants it, and what is not Switchboard's to touch. A plain value: print it,
/// encode it as JSON, or hand it to the applier.
public struct Plan: Sendable, Codable, Equatable {
    public var clusters: [ClusterPlan]
    /// Whom the changes hurt, from the lineage (``PlanImpact/assess(_:live:catalog:reported:)``);
    /// empty until assessed.
    public var impact = PlanImpact()

    public init(clusters: [ClusterPlan], impact: PlanImpact = PlanImpact()) {
        self.clusters = clusters
        self.impact = impact
    }

    public var changes: [Change] { clusters.flatMap(\.changes) }
    public var hasChanges: Bool { clusters.contains { !$0.changes.isEmpty } }
    /// Every delete, over all clusters.
    public var deletes: [Change] { changes.filter { $0.action == .delete } }

    enum CodingKeys: String, CodingKey {
        case clusters, summary, deletes, impact
    }

    /// The JSON has the clusters, a summary, and every delete at the top (`cluster/connector`),
    /// so that a reviewer or a script sees them without reading every cluster.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clusters, forKey: .clusters)
        try container.encode(summary, forKey: .summary)
        try container.encode(deletes.map { "\($0.cluster)/\($0.connector)" }, forKey: .deletes)
        try container.encode(impact, forKey: .impact)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try container.decode([ClusterPlan].self, forKey: .clusters)
        impact = try container.decodeIfPresent(PlanImpact.self, forKey: .impact) ?? PlanImpact()
    }

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
        summary.kept = clusters.reduce(0) { $0 + $1.kept.count }
        return summary
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var create = 0
        public var update = 0
        public var delete = 0
        public var changeState = 0
        public var unchanged = 0
        public var unmanaged = 0
        /// Not in the catalog but not deleted: protected, or their team's folder has problems.
        public var kept = 0
    }
}

/// The plan of one cluster.
public struct ClusterPlan: Sendable, Codable, Equatable {
    public var cluster: String
    /// The cluster's environment, when the catalog gives one.
    public var environment: String?
    public var changes: [Change]
    /// Managed connectors that already match the catalog.
    public var unchanged: [String]
    /// Connectors whose name carries no catalog team: listed, never touched.
    public var unmanaged: [String]
    /// Connectors of a catalog team that the catalog no longer defines, and that are not
    /// deleted all the same.
    public var kept: [Kept]

    public init(cluster: String, environment: String? = nil, changes: [Change], unchanged: [String], unmanaged: [String], kept: [Kept] = []) {
        self.cluster = cluster
        self.environment = environment
        self.changes = changes
        self.unchanged = unchanged
        self.unmanaged = unmanaged
        self.kept = kept
    }

    /// A connector left on the cluster although the catalog no longer defines it.
    public struct Kept: Sendable, Codable, Equatable {
        public var connector: String
        public var team: String
        /// ``Ownership/protected`` or ``Ownership/keptTeamFolderIncomplete``.
        public var reason: Ownership

        public init(connector: String, team: String, reason: Ownership) {
            self.connector = connector
            self.team = team
            self.reason = reason
        }
    }

    /// What becomes of each connector on this cluster, by name (built once: a snapshot asks it
    /// for every connector of the cluster).
    public var ownerships: [String: Ownership] {
        var result: [String: Ownership] = [:]
        for name in unchanged { result[name] = .managed }
        for change in changes { result[change.connector] = change.action == .delete ? .deletedByNextApply : .managed }
        for entry in kept { result[entry.connector] = entry.reason }
        for name in unmanaged { result[name] = .unmanaged }
        return result
    }
}

/// One change to one connector.
public struct Change: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable, CaseIterable {
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
    public enum Kind: String, Sendable, Codable, CaseIterable { case added, removed, changed }
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
