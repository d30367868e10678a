/// Who may do what, from the catalog: a role per user and connector, and what each role allows.
///
/// - A team's `members` and `groups` are its owners; `roles:` in team.yaml grants the other
///   roles (`viewer`, `reader`, `operator`, `owner`) to more users and groups.
/// - `admins` in switchboard.yaml are platform admins: every role on every connector.
/// - `access.signedIn` in switchboard.yaml is the role every signed-in user has on every
///   connector (default `reader`); a cluster's own `access:` can lower it there and raise the
///   role that operating or changing offsets needs (`operate: owner` on a production cluster).
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// States and tasks; no config, traces or offsets.
    case viewer
    /// Also config (secret values masked), traces, drift, topics and offsets.
    case reader
    /// Also restart, pause, resume and stop.
    case `operator`
    /// Also reset and alter offsets.
    case owner
    /// Everything, on every connector.
    case admin

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The roles a team can grant (admins are named in switchboard.yaml only).
    public static let grantable: [Role] = [.viewer, .reader, .operator, .owner]
    /// The roles everyone signed in can be given.
    public static let everyone: [Role] = [.viewer, .reader, .operator]
}

/// What a request wants to do with a connector.
public enum Capability: String, Sendable, Codable, CaseIterable {
    /// Its state, tasks and workers.
    case viewStatus = "view-status"
    /// Its config (masked), traces, drift, topics and offsets.
    case viewConfig = "view-config"
    /// Restart, pause, resume, stop, restart a task.
    case operate
    /// Reset or alter its offsets.
    case changeOffsets = "change-offsets"
    /// Set the log level of the loggers of its class (on its cluster, for a while).
    case changeLogLevels = "change-log-levels"
}

/// The platform's `access:` settings, and a cluster's.
public struct AccessSettings: Sendable, Equatable {
    /// The role of every signed-in user on every connector.
    public var signedIn: Role = .reader
    /// The least role that may operate.
    public var operate: Role = .operator
    /// The least role that may reset or alter offsets.
    public var offsets: Role = .owner

    public init(signedIn: Role = .reader, operate: Role = .operator, offsets: Role = .owner) {
        self.signedIn = signedIn
        self.operate = operate
        self.offsets = offsets
    }

    /// The least role a capability needs under these settings.
    public func needs(_ capability: Capability) -> Role {
        switch capability {
        case .viewStatus: .viewer
        case .viewConfig: .reader
        case .operate: operate
        case .changeOffsets: offsets
        case .changeLogLevels: offsets  // as production-like clusters restrict offsets, they restrict log levels
        }
    }
}

/// Roles granted to users and groups.
public struct RoleGrant: Sendable, Equatable {
    public var role: Role
    public var principals: Principals

    public init(role: Role, principals: Principals) {
        self.role = role
        self.principals = principals
    }
}

/// The one permission check: UI, API and CLI (which calls the API) all ask it.
public struct AccessPolicy: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// The user's role on the connector.
        public var role: Role
        /// The least role the capability needs there.
        public var needs: Role
        /// Why it was refused, in words for a 403 and the audit log.
        public var reason: String {
            "needs the role \(needs.rawValue) or higher (has \(role.rawValue))"
        }
    }

    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    public func isAdmin(name: String, groups: [String]) -> Bool {
        catalog.admins.includes(user: name, groups: groups)
    }

    /// The settings in force on a cluster (the platform's, as the cluster restricts them).
    public func settings(on cluster: String) -> AccessSettings {
        catalog.cluster(named: cluster)?.access ?? catalog.access
    }

    /// The role a team grants a user, if any: members and groups are owners.
    public func teamRole(name: String, groups: [String], team: String) -> Role? {
        guard let team = catalog.team(named: team) else { return nil }
        return team.grants.filter { $0.principals.includes(user: name, groups: groups) }.map(\.role).max()
    }

    /// A user's role on a connector of `team` (nil: no known owner) on `cluster`.
    public func role(name: String, groups: [String], team: String?, cluster: String) -> Role {
        if isAdmin(name: name, groups: groups) { return .admin }
        let everyone = settings(on: cluster).signedIn
        guard let team, let granted = teamRole(name: name, groups: groups, team: team) else { return everyone }
        return max(everyone, granted)
    }

    public func decide(_ capability: Capability, name: String, groups: [String], team: String?, cluster: String) -> Decision {
        let role = role(name: name, groups: groups, team: team, cluster: cluster)
        let needs = settings(on: cluster).needs(capability)
        return Decision(allowed: role >= needs, role: role, needs: needs)
    }

    /// Every capability a user has on a connector.
    public func capabilities(name: String, groups: [String], team: String?, cluster: String) -> [Capability] {
        Capability.allCases.filter { decide($0, name: name, groups: groups, team: team, cluster: cluster).allowed }
    }
}
