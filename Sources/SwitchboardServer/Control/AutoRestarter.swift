import ConnectClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import SwitchboardCore

/// Where a connector stands with the auto-restart controller.
public struct AutoRestartStatus: Sendable, Codable, Equatable {
    /// Restarts since the connector was last healthy for `healthyAfter`.
    public var restarts: Int
    public var maxRestarts: Int
    /// The controller stopped trying: the connector needs a person.
    public var gaveUp: Bool
    public var lastRestartAt: Date?
    /// When the next restart is due, while the connector is failed and the controller still tries.
    public var nextRestartAt: Date?
}

/// The controller's memory of each connector it restarted, and its decisions. Decisions are made
/// from a snapshot alone: the controller never reads a cluster itself.
public final class RestartBook: Sendable {
    struct Track {
        var restarts = 0
        var lastRestart: Date?
        var healthySince: Date?
        var gaveUp = false
        var nextRestart: Date?
    }

    /// What one look at a snapshot decided.
    public struct Decisions: Sendable, Equatable {
        /// Connector keys to restart now, with the restart's number.
        public var restart: [(key: String, number: Int)] = []
        /// Connector keys the controller gave up on now, with how many restarts it made.
        public var gaveUp: [(key: String, restarts: Int)] = []
        /// Connector keys healthy long enough that their count starts afresh.
        public var recovered: [String] = []

        public static func == (a: Decisions, b: Decisions) -> Bool {
            a.restart.map { "\($0.key)#\($0.number)" } == b.restart.map { "\($0.key)#\($0.number)" }
                && a.gaveUp.map { "\($0.key)#\($0.restarts)" } == b.gaveUp.map { "\($0.key)#\($0.restarts)" } && a.recovered == b.recovered
        }
    }

    private let tracks = NIOLockedValueBox<[String: Track]>([:])

    public init() {}

    /// The status of every connector the controller has restarted or given up on.
    public var statuses: [String: AutoRestartStatus] {
        tracks.withLockedValue { tracks in tracks.mapValues { Self.status($0, max: 0) } }
    }

    static func status(_ track: Track, max: Int) -> AutoRestartStatus {
        AutoRestartStatus(restarts: track.restarts, maxRestarts: max, gaveUp: track.gaveUp, lastRestartAt: track.lastRestart, nextRestartAt: track.gaveUp ? nil : track.nextRestart)
    }

    /// Looks at every connector of `snapshot` at `now`:
    /// - the connector or a task FAILED, its policy enabled, not given up: restarted when due (at once the
    ///   first time, then on the schedule), or given up once `maxRestarts` are spent;
    /// - RUNNING with every task running: its count resets after `healthyAfter`;
    /// - paused, stopped or unknown: left alone (someone chose it, or nothing is known).
    public func decide(_ snapshot: Snapshot, now: Date) -> Decisions {
        var decisions = Decisions()
        tracks.withLockedValue { tracks in
            tracks = tracks.filter { snapshot.connectors[$0.key] != nil }
            for key in snapshot.ordered {
                guard let connector = snapshot.connectors[key] else { continue }
                let policy = connector.autoRestart
                var track = tracks[key] ?? Track()
                if connector.health == "RUNNING" {
                    guard tracks[key] != nil else { continue }
                    let since = track.healthySince ?? now
                    track.healthySince = since
                    track.nextRestart = nil
                    if now.timeIntervalSince(since) >= Double(policy.healthyAfterSeconds) {
                        tracks[key] = nil
                        decisions.recovered.append(key)
                        continue
                    }
                } else if connector.state == "FAILED" || connector.failedTasks > 0 {
                    // Something FAILED: a restart can help. (No task running but none failed is a
                    // rebalance or an assignment under way: counted as failed, not restarted.)
                    track.healthySince = nil
                    guard policy.enabled, !track.gaveUp else {
                        if tracks[key] != nil { tracks[key] = track }
                        continue
                    }
                    let due = track.lastRestart.map { $0.addingTimeInterval(policy.delay(afterRestarts: track.restarts).inSeconds) } ?? now
                    if now >= due {
                        if track.restarts >= policy.maxRestarts {
                            track.gaveUp = true
                            decisions.gaveUp.append((key, track.restarts))
                        } else {
                            track.restarts += 1
                            track.lastRestart = now
                            decisions.restart.append((key, track.restarts))
                        }
                    }
                    track.nextRestart = track.lastRestart.map { $0.addingTimeInterval(policy.delay(afterRestarts: track.restarts).inSeconds) }
                } else {
                    guard tracks[key] != nil else { continue }
                    track.healthySince = nil
                }
                tracks[key] = track
            }
        }
        return decisions
    }
}

/// Restarts failed connectors and tasks on their schedule, from the snapshot the poller keeps
/// (no reads of its own), each restart audited as done by the controller; gives up loudly.
public struct AutoRestarter: Service {
    /// The name the audit log gives the controller's restarts.
    public static let user = "switchboard:auto-restart"

    let store: SnapshotStore
    let actions: ConnectorActions
    let interval: Duration
    let logger: Logger
    /// Only the replica holding the lease restarts (always, with one replica).
    let lease: any ControllerLease

    public init(dependencies: ServerDependencies, interval: Duration) {
        store = dependencies.store
        actions = dependencies.actions
        lease = dependencies.audit.storage.lease
        self.interval = interval
        logger = dependencies.logger
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
                await act(on: store.restarts.decide(snapshot, now: now), snapshot: snapshot, decidedAt: now)
            }
        }
    }

    /// Sends the restarts (8 at a time) and records the give-ups; audit rows carry the time of
    /// the decision, which the schedule counts from.
    func act(on decisions: RestartBook.Decisions, snapshot: Snapshot, decidedAt: Date) async {
        for (key, restarts) in decisions.gaveUp {
            guard let connector = snapshot.connectors[key] else { continue }
            logger.warning("Auto-restart gave up", metadata: ["connector": "\(key)", "restarts": "\(restarts)"])
            await actions.record(AuditEntry(at: decidedAt, user: Self.user, action: "auto-restart-gave-up", cluster: connector.cluster, connector: connector.name, outcome: .failed,
                                      detail: "still \(connector.health) after \(restarts) restart(s); restart it by hand once the cause is fixed"))
        }
        for key in decisions.recovered {
            logger.info("Auto-restart count reset: healthy again", metadata: ["connector": "\(key)"])
        }
        let restarts = decisions.restart.compactMap { item in snapshot.connectors[item.key].map { ($0, item.number) } }
        for start in stride(from: 0, to: restarts.count, by: 8) {
            await withTaskGroup(of: Void.self) { group in
                for (connector, number) in restarts[start..<min(start + 8, restarts.count)] {
                    group.addTask { await actions.restartAsController(connector, number: number, decidedAt: decidedAt) }
                }
            }
        }
        if !decisions.gaveUp.isEmpty || !decisions.restart.isEmpty || !decisions.recovered.isEmpty {
            store.republish()
        }
    }
}

// ServiceLifecycle logs each service as "\(service)": a name, not every field (a field can
// lead to a cluster's credentials).
extension AutoRestarter: CustomStringConvertible {
    public var description: String { "AutoRestarter" }
}
