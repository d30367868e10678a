import Foundation
import SwitchboardStorage

/// The controller's memory across restarts, in the audit log's database: per cluster the last
/// commit applied and the last one matched. Without it, a restart would take every drift of a
/// `drift: report` cluster for an unapplied commit and correct it.
public struct GitOpsLedger: Sendable {
    let storage: any ServerStorage

    public typealias Row = GitOpsClusterRow

    /// The commit served last (to start with when the newest one has problems).
    func served() async throws -> String? {
        try await storage.servedCommit()
    }

    func serve(_ hash: String) async throws {
        try await storage.serveCommit(hash)
    }

    func rows() async throws -> [String: Row] {
        Dictionary(try await storage.gitopsClusters().map { ($0.cluster, $0) }) { first, _ in first }
    }

    func save(_ row: Row) async throws {
        try await storage.saveGitopsCluster(row)
    }
}
