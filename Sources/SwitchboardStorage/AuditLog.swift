import Foundation
import Logging
import NIOConcurrencyHelpers
import SwitchboardAPI
import SwitchboardCore

/// The audit log, over the server's ``ServerStorage`` (one SQLite file by default, PostgreSQL
/// for several replicas), which also holds the API tokens and the GitOps controller's state.
/// Everything that acts (the web's actions, the controllers) records through here.
public final class AuditLog: Sendable {
    public let storage: any ServerStorage
    /// Told of every entry about to be stored (the server counts them in `switchboard_actions_total`).
    private let observers = NIOLockedValueBox<[@Sendable (AuditEntry) -> Void]>([])
    /// Tells the team of a connector (cluster, name), for entries recorded without one.
    private let teams = NIOLockedValueBox<(@Sendable (String, String) -> String?)?>(nil)

    /// The log in the SQLite file at `path` (created or migrated); `:memory:` for tests.
    public convenience init(path: String) throws {
        self.init(storage: try SQLiteStorage(path: path))
    }

    public init(storage: any ServerStorage) {
        self.storage = storage
    }

    /// Calls `observer` with every entry recorded from now on (scrubbed), before it is stored.
    public func observe(_ observer: @escaping @Sendable (AuditEntry) -> Void) {
        observers.withLockedValue { $0.append(observer) }
    }

    /// Gives every entry recorded from now on without a team the one `resolve` names for its
    /// connector (the server's snapshot and catalog), so a team's history is one indexed query.
    public func resolveTeams(_ resolve: @escaping @Sendable (_ cluster: String, _ connector: String) -> String?) {
        teams.withLockedValue { $0 = resolve }
    }

    /// Stores an entry; every text in it goes through the scrubber first, so the log never
    /// holds a secret whatever a caller passes.
    @discardableResult
    public func record(_ entry: AuditEntry) async throws -> AuditEntry {
        var entry = entry
        if entry.team == nil, entry.connector != "-", let resolve = teams.withLockedValue({ $0 }) { entry.team = resolve(entry.cluster, entry.connector) }
        entry.team = entry.team.map { Scrubber.scrub($0) }
        entry.user = Scrubber.scrub(entry.user)
        entry.action = Scrubber.scrub(entry.action)
        entry.cluster = Scrubber.scrub(entry.cluster)
        entry.connector = Scrubber.scrub(entry.connector)
        entry.detail = entry.detail.map { Scrubber.scrub($0) }
        entry.offsetsBefore = entry.offsetsBefore.map { Scrubber.scrub($0) }
        entry.offsetsAfter = entry.offsetsAfter.map { Scrubber.scrub($0) }
        for observer in observers.withLockedValue({ $0 }) { observer(entry) }
        return try await storage.insertAudit(entry)
    }

    /// Records what was done: the action already happened, so a log that cannot be written is
    /// logged as an error rather than thrown at the one who acted.
    public func note(_ entry: AuditEntry, logger: Logger) async {
        do {
            try await record(entry)
        } catch {
            logger.error("Could not write the audit log", metadata: ["error": "\(error)"])
        }
    }

    /// The newest entries first; optionally of one connector, or of one team's connectors.
    public func recent(limit: Int = 100, cluster: String? = nil, connector: String? = nil, team: String? = nil) async throws -> [AuditEntry] {
        try await storage.auditEntries(limit: limit, cluster: cluster, connector: connector, team: team)
    }
}
