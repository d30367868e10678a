import Foundation

/// A logger's level changed through Switchboard, and when it is put back.
public struct LogLevelChange: Sendable, Codable, Equatable {
    public var id: Int64?
    public var cluster: String
    public var logger: String
    public var level: String
    /// The level it had before (its own or inherited): what it is put back to.
    public var previous: String
    public var user: String
    public var at: Date
    /// When Switchboard puts `previous` back (debug logging left on fills disks).
    public var revertAt: Date
    /// When it was put back, or superseded by a later change of the same logger.
    public var revertedAt: Date?

    public init(id: Int64? = nil, cluster: String, logger: String, level: String, previous: String, user: String, at: Date, revertAt: Date, revertedAt: Date? = nil) {
        self.id = id
        self.cluster = cluster
        self.logger = logger
        self.level = level
        self.previous = previous
        self.user = user
        self.at = at
        self.revertAt = revertAt
        self.revertedAt = revertedAt
    }

    public var isOpen: Bool { revertedAt == nil }
}

/// A cluster's loggers (`GET /api/v1/clusters/{cluster}/loggers`).
public struct ClusterLoggers: Sendable, Codable, Equatable {
    public var cluster: String
    /// The Connect release the cluster runs.
    public var release: String
    /// Every logger that has a level set, with its level.
    public var loggers: [String: String]
    /// Changes made through Switchboard, newest first: those still to be put back, and recent ones.
    public var changes: [LogLevelChange]

    public init(cluster: String, release: String, loggers: [String: String], changes: [LogLevelChange]) {
        (self.cluster, self.release, self.loggers, self.changes) = (cluster, release, loggers, changes)
    }
}

/// What `PUT /api/v1/clusters/{cluster}/loggers/{logger}` takes.
public struct LogLevelRequest: Sendable, Codable, Equatable {
    /// The longest a level stays before Switchboard puts the previous one back, in minutes.
    public static let maxMinutes = 24 * 60
    public static let defaultMinutes = 60

    public var level: String
    /// Minutes until the previous level is put back (1 to 1440; 60 when left out).
    public var minutes: Int?

    public init(level: String, minutes: Int? = nil) {
        (self.level, self.minutes) = (level, minutes)
    }
}
