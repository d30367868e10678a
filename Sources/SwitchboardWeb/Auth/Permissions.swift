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
