import SwitchboardAPI
import SwitchboardCore

/// The catalog's ``AccessPolicy`` asked about a signed-in user and a connector of the snapshot:
/// the one check behind every page, API call and CLI command.
public struct Permissions: Sendable {
    public let policy: AccessPolicy

    public init(catalog: Catalog) {
        self.policy = AccessPolicy(catalog: catalog)
    }

    public func isAdmin(_ user: User) -> Bool {
        policy.isAdmin(name: user.name, groups: user.groups)
    }

    public func role(_ user: User, on connector: ConnectorView) -> Role {
        policy.role(name: user.name, groups: user.groups, team: connector.team, cluster: connector.cluster)
    }

    public func decide(_ capability: Capability, _ user: User, on connector: ConnectorView) -> AccessPolicy.Decision {
        policy.decide(capability, name: user.name, groups: user.groups, team: connector.team, cluster: connector.cluster)
    }

    public func allows(_ capability: Capability, _ user: User, on connector: ConnectorView) -> Bool {
        decide(capability, user, on: connector).allowed
    }

    public func capabilities(_ user: User, on connector: ConnectorView) -> [Capability] {
        policy.capabilities(name: user.name, groups: user.groups, team: connector.team, cluster: connector.cluster)
    }

    /// Whose traces (and so failure causes) a user may read in lists: every connector for an
    /// admin; else those of clusters where everyone signed in is a reader or more, and of teams
    /// granting the user reader or more. Pages cached for many readers are cached per scope.
    public struct TraceScope: Sendable, Equatable {
        var all: Bool
        var clusters: Set<String>
        var teams: Set<String>

        /// The scope as a cache key.
        public var key: String { all ? "all" : clusters.sorted().joined(separator: ",") + "|" + teams.sorted().joined(separator: ",") }

        public func includes(_ connector: ConnectorView) -> Bool {
            all || clusters.contains(connector.cluster) || connector.team.map(teams.contains) == true
        }

        /// Everyone's view: every cause (tests and the CLI's own rendering).
        public static let everything = TraceScope(all: true, clusters: [], teams: [])
    }

    public func traceScope(of user: User) -> TraceScope {
        if isAdmin(user) { return .everything }
        let clusters = policy.catalog.clusters.filter { policy.settings(on: $0.name).signedIn >= .reader }.map(\.name)
        let teams = policy.catalog.teams.filter { (policy.teamRole(name: user.name, groups: user.groups, team: $0.name) ?? .viewer) >= .reader }.map(\.name)
        return TraceScope(all: clusters.count == policy.catalog.clusters.count, clusters: Set(clusters), teams: Set(teams))
    }

    /// The connector as this user may see it: without config, traces and drift for a viewer.
    public func visible(_ connector: ConnectorView, to user: User) -> ConnectorView {
        allows(.viewConfig, user, on: connector) ? connector : connector.statusOnly
    }

    /// The catalog teams that grant the user a role, with the role.
    public func roles(of user: User) -> [String: Role] {
        var roles: [String: Role] = [:]
        for team in policy.catalog.teams {
            roles[team.name] = policy.teamRole(name: user.name, groups: user.groups, team: team.name)
        }
        return roles
    }

    /// The catalog teams the user owns (is a member of).
    public func teams(of user: User) -> [String] {
        roles(of: user).filter { $0.value >= .owner }.keys.sorted()
    }
}
