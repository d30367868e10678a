import Foundation

/// One action or refused action: who, when, what, on which connector, and how it ended.
/// Never a config value: `detail` holds Connect's error message, scrubbed of secret values.
public struct AuditEntry: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case succeeded, failed, denied
    }

    public var id: Int64?
    public var at: Date
    public var user: String
    public var action: String
    public var cluster: String
    public var connector: String
    /// The connector's team when it was recorded (nil for platform-wide actions and for rows
    /// written before Switchboard kept it and not yet filled in): what a team page lists.
    public var team: String?
    public var task: Int?
    public var outcome: Outcome
    public var detail: String?
    /// Offset resets and alters: the connector's offsets before and after (JSON, scrubbed).
    public var offsetsBefore: String?
    public var offsetsAfter: String?

    public init(at: Date = Date(), user: String, action: String, cluster: String, connector: String, task: Int? = nil, outcome: Outcome, detail: String? = nil,
                offsetsBefore: String? = nil, offsetsAfter: String? = nil, team: String? = nil) {
        self.team = team
        self.at = at
        self.user = user
        self.action = action
        self.cluster = cluster
        self.connector = connector
        self.task = task
        self.outcome = outcome
        self.detail = detail
        self.offsetsBefore = offsetsBefore
        self.offsetsAfter = offsetsAfter
    }
}
