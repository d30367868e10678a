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
    let memory: RestartMemory
    let audit: AuditLog
    let interval: Duration
    let logger: Logger
    /// Only the replica holding the lease restarts (always, with one replica).
    let lease: any ControllerLease
    let lifecycle: ReplicaLifecycle
    /// Clusters in maintenance are left alone.
    let maintenance: MaintenanceBook?

    public init(store: SnapshotStore, book: RestartBook = RestartBook(), audit: AuditLog, interval: Duration, lifecycle: ReplicaLifecycle = ReplicaLifecycle(),
                maintenance: MaintenanceBook? = nil, logger: Logger) {
        self.maintenance = maintenance
        self.store = store
        self.book = book
        self.memory = RestartMemory(storage: audit.storage)
        self.audit = audit
        self.lease = audit.storage.lease
        self.interval = interval
        self.lifecycle = lifecycle
        self.logger = logger
    }

    public func run() async throws {
        try await untilShutdown {
            var seen = Date.distantPast
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                // Stopping: no new restart (the loop itself ends at this service's turn to stop).
                guard !lifecycle.isStopping else { continue }
                guard lease.isHeld else {
                    // Another replica decides: show what it recorded, so every replica shows the same counts.
                    await showStored()
                    continue
                }
                let snapshot = store.current
                // One look per snapshot: a snapshot seen before says nothing new.
                guard snapshot.takenAt > seen else { continue }
                seen = snapshot.takenAt
                await look(at: snapshot, now: Date())
            }
        }
    }

    /// One look as the lease holder: the stored tracks (another replica may have decided last),
    /// the decisions, the tracks stored again, and only then the restarts: a restart that could
    /// not be counted in storage is not made (a takeover would make it again).
    func look(at snapshot: Snapshot, now: Date) async {
        let shown = book.tracks
        do {
            book.tracks = try await memory.load()
        } catch {
            logger.error("Auto-restart: cannot read its state; nothing is restarted this time", metadata: ["error": "\(error)"])
            return
        }
        let before = book.tracks
        // A cluster in maintenance is someone's work in progress: nothing is restarted there.
        var snapshot = snapshot
        if let windows = maintenance?.current, !windows.isEmpty {
            snapshot.connectors = snapshot.connectors.filter { windows[$0.value.cluster] == nil }
        }
        let decisions = book.decide(snapshot, now: now)
        guard book.tracks != before else {
            if before != shown { await store.publish(restarts: book.statuses) }  // taken over: show what was stored
            return
        }
        do {
            try await memory.save(from: before, to: book.tracks)
        } catch {
            logger.error("Auto-restart: cannot record its decisions; nothing is restarted this time", metadata: ["error": "\(error)"])
            return
        }
        await act(on: decisions, snapshot: snapshot, decidedAt: now)
    }

    /// A replica without the lease: the counts the holder stored, on this replica's pages.
    func showStored() async {
        do {
            let stored = try await memory.load()
            guard stored != book.tracks else { return }
            book.tracks = stored
            await store.publish(restarts: book.statuses)
        } catch {
            logger.warning("Auto-restart: cannot read the state the running replica recorded", metadata: ["error": "\(error)"])
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
        await store.publish(restarts: book.statuses)
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
