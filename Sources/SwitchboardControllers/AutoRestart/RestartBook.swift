import Foundation
import NIOConcurrencyHelpers
import SwitchboardAPI
import SwitchboardSnapshot

/// The controller's memory of each connector it restarted, and its decisions. Decisions are made
/// from a snapshot alone: the controller never reads a cluster itself.
public final class RestartBook: Sendable {
    /// What the controller remembers of one connector; stored (``RestartMemory``) so that a
    /// restart or a takeover continues the schedule.
    public struct Track: Codable, Equatable, Sendable {
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

    private let tracksBox = NIOLockedValueBox<[String: Track]>([:])

    public init() {}

    /// Every connector's track, by key ("cluster/connector").
    public var tracks: [String: Track] {
        get { tracksBox.withLockedValue { $0 } }
        set { tracksBox.withLockedValue { $0 = newValue } }
    }

    /// The status of every connector the controller has restarted or given up on.
    public var statuses: [String: AutoRestartStatus] {
        tracksBox.withLockedValue { tracks in tracks.mapValues { Self.status($0, max: 0) } }
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
        tracksBox.withLockedValue { tracks in
            // A connector gone from a cluster read at this poll is forgotten; one of a cluster that
            // could not be read is not known to be gone, and keeps its track.
            tracks = tracks.filter { key, _ in
                snapshot.connectors[key] != nil || snapshot.clusters[String(key.prefix { $0 != "/" })]?.isReachable != true
            }
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
