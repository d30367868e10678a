/// A team from `teams/<team>/team.yaml`: who belongs to it, and where its alerts go.
public struct Team: Sendable, Equatable {
    /// `[a-z][a-z0-9-]*`, the name of the team's folder, and the prefix of its connectors.
    public var name: String
    public var description: String?
    /// The owners: `members` and `groups` of team.yaml.
    public var members: Principals
    /// Every role the team grants, owners first (``AccessPolicy``).
    public var grants: [RoleGrant]
    public var alertReceivers: [AlertReceiver]
    /// Code owners of the team's folder (`reviewers:`): `@org/team`, `@user` or an email.
    public var reviewers: [String]
    public var location: SourceLocation

    public init(name: String, description: String? = nil, members: Principals, roles: [RoleGrant] = [], alertReceivers: [AlertReceiver] = [], reviewers: [String] = [], location: SourceLocation) {
        self.reviewers = reviewers
        self.name = name
        self.description = description
        self.members = members
        self.grants = [RoleGrant(role: .owner, principals: members)] + roles
        self.alertReceivers = alertReceivers
        self.location = location
    }
}

/// Where a team's alerts are sent.
public struct AlertReceiver: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case webhook, slack, email
    }

    public var kind: Kind
    /// webhook: the URL to POST to; slack: the incoming-webhook URL (or use `urlFile`).
    public var url: String?
    /// A file holding the URL (Slack webhook URLs are secrets).
    public var urlFile: String?
    /// slack: the channel.
    public var channel: String?
    /// email: the address.
    public var to: String?
}
