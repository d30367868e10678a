import Logging
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStorage

/// Audit rows for a page or an answer. A log that cannot be read is said (and logged), never
/// shown as an empty history.
struct AuditRows: Sendable {
    var entries: [AuditEntry]
    /// Why `entries` is empty, when reading failed (scrubbed).
    var problem: String?

    /// The rows `user` may see: offsets before and after only where their role shows offsets
    /// (readers and up of a connector still in the snapshot; admins always).
    static func read(_ dependencies: ServerDependencies, for user: User, limit: Int, cluster: String? = nil, connector: String? = nil, team: String? = nil) async -> AuditRows {
        await read(dependencies.audit, logger: dependencies.logger, limit: limit, cluster: cluster, connector: connector, team: team) { entry in
            if dependencies.permissions.isAdmin(user) { return true }
            guard let connector = dependencies.store.current.connectors["\(entry.cluster)/\(entry.connector)"] else { return false }
            return dependencies.permissions.allows(.viewConfig, user, on: connector)
        }
    }

    static func read(_ audit: AuditLog, logger: Logger, limit: Int, cluster: String? = nil, connector: String? = nil, team: String? = nil,
                     showsOffsets: (AuditEntry) -> Bool) async -> AuditRows {
        do {
            return AuditRows(entries: try await audit.recent(limit: limit, cluster: cluster, connector: connector, team: team).map { entry in
                guard entry.offsetsBefore != nil || entry.offsetsAfter != nil, !showsOffsets(entry) else { return entry }
                var hidden = entry
                (hidden.offsetsBefore, hidden.offsetsAfter) = (nil, nil)
                return hidden
            })
        } catch {
            let problem = Scrubber.scrub("The audit log cannot be read: \(error)")
            logger.error("\(problem)")
            return AuditRows(entries: [], problem: problem)
        }
    }
}
