/// A team from `teams/<team>/team.yaml`: who belongs to it, and where its alerts go.
public struct Team: Sendable, Equatable {
    /// `[a-z][a-z0-9-]*`, the name of the team's folder, and the prefix of its connectors.
    public var name: String
    public var description: String?
    public var members: Principals
    public var alertReceivers: [AlertReceiver]
    public var location: SourceLocation
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
