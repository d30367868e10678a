import ConnectClient
import Foundation
import Logging
import Reconciler
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot
import SwitchboardStorage

/// Restarts failed connectors and tasks on their schedule, from the snapshot the poller keeps
/// (no reads of its own), through the Reconciler's ``ConnectorOperations``, each restart audited
/// as done by the controller; gives up loudly. What it decided shows in the next snapshot.
public struct AutoRestarter: Service {
    /// The name the audit log gives the controller's restarts.
    public static let user = "switchboard:auto-restart"

    let store: SnapshotStore
    let book: RestartBook
    let audit: AuditLog
    let interval: Duration
    let logger: Logger
    /// Only the replica holding the lease restarts (always, with one replica).
    let lease: any ControllerLease

    public init(store: SnapshotStore, book: RestartBook = RestartBook(), audit: AuditLog, interval: Duration, logger: Logger) {
        self.store = store
        self.book = book
        self.audit = audit
        self.lease = audit.storage.lease
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var seen = Date.distantPast
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                let snapshot = store.current
                // One look per snapshot: a snapshot seen before says nothing new.
                guard snapshot.takenAt > seen, lease.isHeld else { continue }
                seen = snapshot.takenAt
                let now = Date()
                await act(on: book.decide(snapshot, now: now), snapshot: snapshot, decidedAt: now)
            }
        }
    }

    /// Sends the restarts (8 at a time) and records the give-ups; audit rows carry the time of
    /// the decision, which the schedule counts from.
    func act(on decisions: RestartBook.Decisions, snapshot: Snapshot, decidedAt: Date) async {
        for (key, restarts) in decisions.gaveUp {
            guard let connector = snapshot.connectors[key] else { continue }
            logger.warning("Auto-restart gave up", metadata: ["connector": "\(key)", "restarts": "\(restarts)"])
            await audit.note(AuditEntry(at: decidedAt, user: Self.user, action: "auto-restart-gave-up", cluster: connector.cluster, connector: connector.name, outcome: .failed,
                                        detail: "still \(connector.health) after \(restarts) restart(s); restart it by hand once the cause is fixed"), logger: logger)
        }
        for key in decisions.recovered {
            logger.info("Auto-restart count reset: healthy again", metadata: ["connector": "\(key)"])
        }
        let restarts = decisions.restart.compactMap { item in snapshot.connectors[item.key].map { ($0, item.number) } }
        let operations = ConnectorOperations(connections: store.connections, retry: ConnectorOperations.forControllers)
        for start in stride(from: 0, to: restarts.count, by: 8) {
            await withTaskGroup(of: Void.self) { group in
                for (connector, number) in restarts[start..<min(start + 8, restarts.count)] {
                    group.addTask { await restart(connector, number: number, decidedAt: decidedAt, operations: operations) }
                }
            }
        }
        if !decisions.gaveUp.isEmpty || !decisions.restart.isEmpty || !decisions.recovered.isEmpty {
            store.publish(restarts: book.statuses)
        }
    }

    /// One restart: no user and no permission check (the catalog enabled it), the connector with
    /// its failed tasks, audited as the controller's.
    func restart(_ connector: ConnectorView, number: Int, decidedAt: Date, operations: ConnectorOperations) async {
        let what = "auto-restart \(number) of \(connector.autoRestart.maxRestarts): the connector was \(connector.health)"
        var entry = AuditEntry(at: decidedAt, user: Self.user, action: "restart includeTasks onlyFailed", cluster: connector.cluster, connector: connector.name,
                               outcome: .succeeded, detail: what)
        do {
            try await operations.run(.restart(includeTasks: true, onlyFailed: true), on: connector.name, cluster: connector.cluster)
        } catch {
            // Connect's answer names the connector and why; it goes through the scrubber all the same.
            entry.outcome = .failed
            entry.detail = what + "; " + Scrubber.scrub((error as? ConnectError)?.description ?? "\(error)")
        }
        await audit.note(entry, logger: logger)
    }
}

// ServiceLifecycle logs each service as "\(service)": a name, not every field (a field can
// lead to a cluster's credentials).
extension AutoRestarter: CustomStringConvertible {
    public var description: String { "AutoRestarter" }
}
