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

/// Who may act on which connector: its owning team's members and the platform admins.
/// Everyone signed in may read.
public struct Permissions: Sendable {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    public func isAdmin(_ user: User) -> Bool {
        catalog.admins.includes(user: user.name, groups: user.groups)
    }

    /// Members of the owning team, and admins. A connector without a known owner: admins only.
    public func canAct(_ user: User, on connector: ConnectorView) -> Bool {
        if isAdmin(user) { return true }
        guard let team = connector.team.flatMap(catalog.team(named:)) else { return false }
        return team.members.includes(user: user.name, groups: user.groups)
    }

    /// The catalog teams the user belongs to.
    public func teams(of user: User) -> [String] {
        catalog.teams.filter { $0.members.includes(user: user.name, groups: user.groups) }.map(\.name)
    }
}
