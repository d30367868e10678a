import SwitchboardCore

/// Who makes a request.
public struct User: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable {
        /// Headers set by an authenticating proxy (oauth2-proxy) from a trusted address.
        case proxy
        /// A local user who signed in with a password.
        case local
        /// `--insecure-dev`: nobody signed in; a development stand-in.
        case insecureDevelopment = "insecure-development"
        /// A personal API token (`Authorization: Bearer`), made by a user signed in another way.
        case token
    }

    public var name: String
    public var groups: [String]
    public var email: String?
    public var source: Source

    public init(name: String, groups: [String], email: String? = nil, source: Source) {
        self.name = name
        self.groups = groups
        self.email = email
        self.source = source
    }
}

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
