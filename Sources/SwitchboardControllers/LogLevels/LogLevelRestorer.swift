import ConnectClient
import Foundation
import Logging
import Reconciler
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot
import SwitchboardStorage

/// Puts each logger level changed through Switchboard back when its time is up (debug logging
/// left on fills disks): every `interval`, on the replica holding the lease, through the
/// Reconciler's ``LogLevels``, each restore audited as done by the controller. A restore that
/// fails is tried again at the next look; the change stays open meanwhile and pages show it.
public struct LogLevelRestorer: Service {
    /// The name the audit log gives the controller's restores.
    public static let user = "switchboard:log-levels"

    let store: SnapshotStore
    let audit: AuditLog
    let interval: Duration
    let logger: Logger
    let lease: any ControllerLease

    public init(store: SnapshotStore, audit: AuditLog, interval: Duration = .seconds(15), logger: Logger) {
        self.store = store
        self.audit = audit
        self.lease = audit.storage.lease
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await untilShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                if lease.isHeld { await restoreDue(now: Date()) }
            }
        }
    }

    /// Restores every open change whose time is up at `now`; returns how many it restored.
    @discardableResult
    public func restoreDue(now: Date) async -> Int {
        let open: [LogLevelChange]
        do {
            open = try await audit.storage.openLogLevelChanges()
        } catch {
            logger.warning("Cannot read the log level changes to restore", metadata: ["error": "\(error)"])
            return 0
        }
        var restored = 0
        let levels = LogLevels(connections: store.connections)
        for change in open where change.revertAt <= now {
            guard let id = change.id else { continue }
            var entry = AuditEntry(at: now, user: Self.user, action: "restore-log-level", cluster: change.cluster, connector: "-", outcome: .succeeded,
                                   detail: "logger \(change.logger) back to \(change.previous) (set to \(change.level) by \(change.user))")
            do {
                try await levels.set(change.logger, to: change.previous, cluster: change.cluster)
                try await audit.storage.markLogLevelReverted(id: id, at: now)
                restored += 1
            } catch {
                entry.outcome = .failed
                entry.detail = (entry.detail ?? "") + "; " + Scrubber.scrub((error as? ConnectError)?.description ?? "\(error)") + "; tried again at the next look"
            }
            await audit.note(entry, logger: logger)
        }
        return restored
    }
}

extension LogLevelRestorer: CustomStringConvertible {
    public var description: String { "LogLevelRestorer" }
}
