import Foundation

/// The whole catalog: platform settings from `switchboard.yaml`, the teams, and their connectors.
public struct Catalog: Sendable {
    /// The catalog folder.
    public var root: URL
    public var clusters: [ClusterDefinition]
    public var policy: Policy
    /// Users and groups who may act on every connector.
    public var admins: Principals
    /// The platform's `access:` (each cluster holds its own, restricted, copy).
    public var access: AccessSettings
    /// The platform's `autoRestart:` (a connector's own overrides it).
    public var autoRestart: AutoRestartPolicy
    public var teams: [Team]
    public var connectors: [ConnectorDefinition]
    /// `plugins.yaml`, when the catalog has one.
    public var plugins: PluginManifest?
    public var alerting: AlertingSettings
    /// The platform-wide `kubernetes:` settings (the Switchboard server's deployment).
    public var kubernetes: KubernetesSettings
    /// Code owners of the platform's files (`reviewers:` of switchboard.yaml).
    public var reviewers: [String] = []
    /// `environments:` of switchboard.yaml, lowest first (staging before prod).
    public var environments: [String] = []
    /// Teams whose folder was read completely and without a problem. Only their connectors may
    /// ever be deleted: a team folder with a file that could not be read might define the
    /// connectors that seem to be missing.
    public var cleanTeams: Set<String>
    /// Catalog files that could not be read (relative paths): checks that depend on them are
    /// skipped, so that a broken switchboard.yaml is one error, not one per connector.
    public var unreadableFiles: Set<String> = []

    /// `cleanTeams` defaults to every team (a catalog built in code has no folder to misread).
    public init(root: URL, clusters: [ClusterDefinition], policy: Policy, admins: Principals, teams: [Team], connectors: [ConnectorDefinition], plugins: PluginManifest? = nil, alerting: AlertingSettings = AlertingSettings(), kubernetes: KubernetesSettings = KubernetesSettings(), access: AccessSettings = AccessSettings(), autoRestart: AutoRestartPolicy = AutoRestartPolicy(), cleanTeams: Set<String>? = nil) {
        self.autoRestart = autoRestart
        self.root = root
        self.clusters = clusters
        self.policy = policy
        self.admins = admins
        self.access = access
        self.teams = teams
        self.connectors = connectors
        self.plugins = plugins
        self.alerting = alerting
        self.kubernetes = kubernetes
        self.cleanTeams = cleanTeams ?? Set(teams.map(\.name))
    }

    public func cluster(named name: String) -> ClusterDefinition? {
        clusters.first { $0.name == name }
    }

    public func team(named name: String) -> Team? {
        teams.first { $0.name == name }
    }

    /// The catalog team that owns a connector name on a cluster (`payments_orders` -> payments),
    /// or nil when the prefix names no team of the catalog.
    public func owningTeam(ofConnectorNamed name: String) -> Team? {
        ConnectorDefinition.teamPrefix(of: name).flatMap(team(named:))
    }

    /// The connectors of one cluster.
    public func connectors(on cluster: String) -> [ConnectorDefinition] {
        connectors.filter { $0.cluster == cluster }
    }
}

/// Users and groups, as an auth proxy or the local user file names them.
public struct Principals: Sendable, Equatable, Codable {
    public var users: [String]
    public var groups: [String]

    public init(users: [String] = [], groups: [String] = []) {
        self.users = users
        self.groups = groups
    }

    /// Whether a user with these groups is one of the principals.
    public func includes(user: String, groups userGroups: [String]) -> Bool {
        users.contains(user) || !Set(groups).isDisjoint(with: userGroups)
    }
}
