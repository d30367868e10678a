import Foundation

/// One cluster's record: the last commit applied to it, when, and the last it matched.
public struct GitOpsClusterRow: Sendable, Codable, Equatable {
    public var cluster: String
    public var appliedHash: String?
    public var appliedAt: Date?
    public var matchedHash: String?

    public init(cluster: String, appliedHash: String? = nil, appliedAt: Date? = nil, matchedHash: String? = nil) {
        self.cluster = cluster
        self.appliedHash = appliedHash
        self.appliedAt = appliedAt
        self.matchedHash = matchedHash
    }
}
