import Foundation
import GRDB
import SwitchboardAPI

/// A personal API token as stored: never the token itself, only its SHA-256.
public struct APIToken: Sendable, Codable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var user: String
    /// The user's groups when the token was made (a proxy user's groups are known only then);
    /// a local user's are read from the users file at each use instead.
    public var groups: String
    public var source: User.Source
    public var name: String
    public var hash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public init(id: Int64? = nil, user: String, groups: String, source: User.Source, name: String, hash: String, createdAt: Date, expiresAt: Date,
                revokedAt: Date? = nil, lastUsedAt: Date? = nil) {
        self.id = id
        self.user = user
        self.groups = groups
        self.source = source
        self.name = name
        self.hash = hash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    public static let databaseTableName = "api_tokens"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// What lists show (no hash).
    public typealias Summary = TokenSummary

    public var summary: Summary {
        Summary(id: id ?? 0, name: name, createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt, lastUsedAt: lastUsedAt)
    }
}
