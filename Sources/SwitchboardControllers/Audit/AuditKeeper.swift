import Foundation
import Logging
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot
import SwitchboardStorage

/// Looks after the audit log on the replica holding the lease: once at start, gives a team to
/// the rows written before Switchboard kept one (from the snapshot, as new rows get theirs); then
/// every `interval`, with a retention, deletes the rows older than it in batches, the oldest
/// first, and records in the log itself how many went and up to when.
public struct AuditKeeper: Service {
    /// The name the audit log gives the keeper's own entries.
    public static let user = "switchboard:audit"
    /// Rows per delete statement: short transactions, so writers never wait long.
    public static let batch = 10_000

    /// Where connectors' teams come from (nil: rows without a team stay so).
    let store: SnapshotStore?
    let audit: AuditLog
    let retention: Duration?
    let interval: Duration
    let logger: Logger

    public init(store: SnapshotStore?, audit: AuditLog, retention: Duration?, interval: Duration = .seconds(3600), logger: Logger) {
        (self.store, self.audit, self.retention, self.interval, self.logger) = (store, audit, retention, interval, logger)
    }

    public func run() async throws {
        try await untilShutdown {
            var filled = false
            while !Task.isCancelled {
                if audit.storage.lease.isHeld {
                    if !filled { filled = await fillTeams() }
                    if let retention { await deleteOlder(than: retention, now: Date()) }
                }
                try await Task.sleep(for: filled ? interval : .seconds(30))
            }
        }
    }

    /// Gives each connector's team-less rows its team (connectors the snapshot no longer shows
    /// keep none); true once every such connector was looked at.
    @discardableResult
    public func fillTeams() async -> Bool {
        guard let snapshot = store?.current else { return true }
        do {
            let missing = try await audit.storage.auditConnectorsWithoutTeam(limit: 100_000)
            var rows = 0
            for (cluster, connector) in missing {
                guard let team = snapshot.connectors[ConnectorView.key(cluster: cluster, name: connector)]?.team else { continue }
                rows += try await audit.storage.setAuditTeam(team, cluster: cluster, connector: connector)
            }
            if rows > 0 { logger.info("Gave \(rows) audit entries written before the team column their connector's team") }
            return true
        } catch {
            logger.warning("Cannot fill in the audit log's teams; trying again", metadata: ["error": "\(Scrubber.scrub("\(error)"))"])
            return false
        }
    }

    /// Deletes the rows recorded before `now - retention`; returns how many.
    @discardableResult
    public func deleteOlder(than retention: Duration, now: Date) async -> Int {
        let cutoff = now.addingTimeInterval(-Double(retention.components.seconds))
        var deleted = 0
        do {
            while !Task.isCancelled {
                let count = try await audit.storage.deleteAudit(before: cutoff, limit: Self.batch)
                deleted += count
                if count < Self.batch { break }
            }
        } catch {
            logger.warning("Cannot delete old audit entries; trying again at the next look", metadata: ["error": "\(Scrubber.scrub("\(error)"))"])
        }
        if deleted > 0 {
            await audit.note(AuditEntry(at: now, user: Self.user, action: "audit-retention", cluster: "-", connector: "-", outcome: .succeeded,
                                        detail: "deleted \(deleted) entries recorded before \(cutoff.formatted(.iso8601)) (--audit-retention)"), logger: logger)
        }
        return deleted
    }
}

extension AuditKeeper: CustomStringConvertible {
    public var description: String { "AuditKeeper" }
}
