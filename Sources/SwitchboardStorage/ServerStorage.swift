import Foundation
import SwitchboardAPI

/// Where the server keeps what outlives a request: the audit log, API tokens, the GitOps
/// controller's state and, with more than one replica, sessions.
///
/// Two implementations: ``SQLiteStorage`` (GRDB, one file, the default for one replica) and
/// ``PostgresStorage`` (PostgresNIO, shared by replicas). Every text written is scrubbed by the
/// callers above (``AuditLog``, ``APITokens``); these types only store.
public protocol ServerStorage: Sendable {
    /// Stores an entry and returns it with its id.
    func insertAudit(_ entry: AuditEntry) async throws -> AuditEntry
    /// The newest entries first; of one connector when both `cluster` and `connector` are
    /// given, of one team's connectors when `team` is.
    func auditEntries(limit: Int, cluster: String?, connector: String?, team: String?) async throws -> [AuditEntry]
    /// Stores many entries as given (ids are not handed back), a few thousand per statement.
    func insertAudit(batch entries: [AuditEntry]) async throws
    /// Deletes up to `limit` of the oldest entries recorded before `date`; returns how many.
    func deleteAudit(before date: Date, limit: Int) async throws -> Int
    /// Connectors with entries that have no team (written before Switchboard kept it), up to `limit`.
    func auditConnectorsWithoutTeam(limit: Int) async throws -> [(cluster: String, connector: String)]
    /// Gives `team` to the entries of a connector that have none; returns how many.
    func setAuditTeam(_ team: String, cluster: String, connector: String) async throws -> Int

    func insertToken(_ token: APIToken) async throws -> APIToken
    func token(hash: String) async throws -> APIToken?
    func token(id: Int64, user: String) async throws -> APIToken?
    /// Writes `lastUsedAt` and `revokedAt` of a stored token.
    func updateToken(_ token: APIToken) async throws
    /// The user's tokens, newest first.
    func tokens(user: String) async throws -> [APIToken]

    func gitopsClusters() async throws -> [GitOpsClusterRow]
    func saveGitopsCluster(_ row: GitOpsClusterRow) async throws
    func servedCommit() async throws -> String?
    func serveCommit(_ hash: String) async throws
    /// Asks the replica that runs the controllers for a sync now (`cluster` nil), or to apply
    /// one cluster's pending plan, on behalf of `user` (a webhook or an admin, on any replica).
    func requestSync(cluster: String?, by user: String) async throws
    /// The requests made since the last call (each is taken once).
    func takeSyncRequests() async throws -> [(cluster: String?, user: String)]
    /// What the replica running the controller last saw, for the others to show.
    func saveGitopsStatus(_ status: GitOpsStatus) async throws
    func gitopsStatus() async throws -> GitOpsStatus?

    /// Records a logger level changed through Switchboard; returns it with its id.
    func insertLogLevelChange(_ change: LogLevelChange) async throws -> LogLevelChange
    /// The changes of `cluster` (every cluster when nil), newest first.
    func logLevelChanges(cluster: String?, limit: Int) async throws -> [LogLevelChange]
    /// The changes whose level has not been put back yet, oldest first.
    func openLogLevelChanges() async throws -> [LogLevelChange]
    /// Notes that a change was put back (or superseded by a later change of its logger).
    func markLogLevelReverted(id: Int64, at date: Date) async throws

    /// The controllers' documents whose keys start with `prefix` (JSON text by key), so that a
    /// restart or a takeover continues where the last holder of the lease stopped, and every
    /// replica shows the same.
    func controllerState(prefix: String) async throws -> [String: String]
    /// Writes (inserts or replaces) these documents and deletes the keys of `deleting`, in one transaction.
    func saveControllerState(_ documents: [String: String], deleting: [String]) async throws

    /// The schema steps the database records, in order (``StorageSchema``).
    func appliedMigrations() async throws -> [String]

    /// Sessions every replica sees, or nil: sessions stay in this process's memory.
    var sharedSessions: (any SessionKeeper)? { get }
    /// Who runs the controllers (auto-restart, GitOps) when several replicas share the storage.
    var lease: any ControllerLease { get }
    /// Where it is, for messages (credentials masked).
    var description: String { get }
}

extension ServerStorage {
    /// The newest entries first; of one connector when both are given.
    public func auditEntries(limit: Int, cluster: String?, connector: String?) async throws -> [AuditEntry] {
        try await auditEntries(limit: limit, cluster: cluster, connector: connector, team: nil)
    }
}

extension JSONEncoder {
    /// How stored JSON is written (dates as ISO 8601, so both databases hold readable text).
    public static var storage: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONEncoder {
    /// How controllers' documents are written: dates as seconds since 1970 with their fraction,
    /// because a schedule read back must not move (ISO 8601 text keeps whole seconds only).
    public static var controllerState: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

extension JSONDecoder {
    public static var controllerState: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    public static var storage: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension ServerStorage {
    /// The controllers' documents under `prefix`, decoded, by key without the prefix. One that does
    /// not decode is an error naming its key: a controller must never take an entry it cannot read
    /// for one that is not there.
    public func controllerDocuments<Document: Decodable>(prefix: String, as type: Document.Type) async throws -> [String: Document] {
        var documents: [String: Document] = [:]
        for (key, json) in try await controllerState(prefix: prefix) {
            do {
                documents[String(key.dropFirst(prefix.count))] = try JSONDecoder.controllerState.decode(type, from: Data(json.utf8))
            } catch {
                throw StorageError("the controller state \(key) in \(description) cannot be read (\(error)); fix or delete that row of controller_state")
            }
        }
        return documents
    }
}

/// Decides whether this replica runs the controllers now.
public protocol ControllerLease: Sendable {
    var isHeld: Bool { get }
    /// Gives the lease up for good (the replica stops), so that another takes it at once.
    func release() async
}

/// One replica: it always runs the controllers.
public struct SoleReplica: ControllerLease {
    public init() {}
    public var isHeld: Bool { true }
    public func release() async {}
}
