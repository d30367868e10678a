import Foundation
import KafkaLag
import NIOConcurrencyHelpers
import NIOCore
import Prometheus
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// Switchboard's Prometheus metrics (swift-prometheus), served at /metrics:
///
/// | metric | labels |
/// |---|---|
/// | `switchboard_connector_state` 1 for the current state | cluster, connector, team, type, state |
/// | `switchboard_connector_failed` 0/1 | cluster, connector, team, type |
/// | `switchboard_task_state` 1 for the current state | cluster, connector, team, type, task, state |
/// | `switchboard_connector_failed_tasks` | cluster, connector, team, type |
/// | `switchboard_connector_failure_cause` 1 | cluster, connector, team, cause (failing connectors only) |
/// | `switchboard_connector_drift_keys`, `switchboard_connector_drift` 0/1 (config or state; managed connectors) | cluster, connector, team |
/// | `switchboard_sink_topic_lag_records`, `switchboard_sink_total_lag_records` | cluster, connector, team[, topic] |
/// | `switchboard_connector_records_per_second` | cluster, connector, team, type |
/// | `switchboard_sink_dead_letter_records` (sinks with a dead-letter queue) | cluster, connector, team, topic |
/// | `switchboard_cluster_up`, `switchboard_cluster_last_successful_poll_timestamp_seconds` | cluster |
/// | `switchboard_cluster_poll_errors_total` | cluster |
/// | `switchboard_actions_total` | cluster, team, action, outcome |
/// | `switchboard_gitops_last_sync_timestamp_seconds`, `switchboard_gitops_last_sync_success`, `switchboard_gitops_commits_behind`, `switchboard_gitops_pending_changes`, `switchboard_gitops_drift` | cluster |
/// | `switchboard_gitops_last_sync_duration_seconds` | (none) |
/// | `switchboard_gitops_fetch_success`, `switchboard_gitops_commit_refused`, `switchboard_gitops_last_fetch_timestamp_seconds` | (none) |
///
/// The team label comes from the catalog, or from the name's prefix when it names a catalog
/// team; it is empty otherwise. No config value or trace is ever a label, so cardinality is
/// bounded by connectors and tasks. Gauges follow the snapshot: series of connectors, states or
/// tasks that are gone are gone from the next scrape.
public final class ServerMetrics: SnapshotObserver, Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// Gauges by owner (the snapshot, the GitOps controller), as exposition text: each owner's
    /// update replaces only its own.
    private let gauges = NIOLockedValueBox<[String: [ByteBuffer]]>([:])
    /// The latest snapshot and readings, and their gauges once rendered. They are rendered when
    /// scraped (``exposition()``), not at every poll, and kept only until the next snapshot or
    /// reading (scrapes that come together, as an HA pair of Prometheus servers does, share one
    /// render): at 20,000 connectors a render is 120,000 lines (17 MB, about a quarter of a
    /// second), Prometheus scrapes every 15-60 s and polls come every 5 s, so a text kept until
    /// the next scrape was nearly always stale by then, and held 17 MB all along.
    private let latest = NIOLockedValueBox(Latest())
    struct Latest {
        var snapshot = Snapshot.empty
        var readings = Readings()
        var rendered: [ByteBuffer]?
        /// Counts the snapshots and readings: a render is kept only if none came during it.
        var generation = 0
    }
    /// One render at a time (two scrapes at once would each hold a render's text).
    private let rendering = NIOLock()

    public init() {}

    // MARK: SnapshotObserver

    public func published(_ snapshot: Snapshot) {
        latest.withLockedValue { ($0.snapshot, $0.rendered, $0.generation) = (snapshot, nil, $0.generation + 1) }
    }

    public func readFailed(cluster: String) {
        pollFailed(cluster: cluster)
    }

    /// What the lag poller read, by connector key: the gauges beside the snapshot's.
    public struct Readings: Sendable {
        public var lag: [String: SinkLag]
        public var rates: [String: Double]
        /// Records in each sink's dead-letter topic.
        public var deadLetters: [String: Int64]

        public init(lag: [String: SinkLag] = [:], rates: [String: Double] = [:], deadLetters: [String: Int64] = [:]) {
            (self.lag, self.rates, self.deadLetters) = (lag, rates, deadLetters)
        }
    }

    /// The lag poller's latest round: the gauges of the current snapshot with these numbers.
    public func readingsChanged(_ readings: Readings) {
        latest.withLockedValue { ($0.readings, $0.rendered, $0.generation) = (readings, nil, $0.generation + 1) }
    }

    /// Every metric's name and help text (the `# HELP` line).
    static let help: [String: String] = Dictionary(uniqueKeysWithValues: [
        ("switchboard_connector_state", "1 for the connector's current state (label state)."),
        ("switchboard_connector_failed", "1 when the connector is FAILED or meant to run with no task running, else 0."),
        ("switchboard_task_state", "1 for the task's current state (label state)."),
        ("switchboard_connector_failed_tasks", "Number of FAILED tasks of the connector."),
        ("switchboard_connector_failure_cause", "1 for a failing connector, with why in one line (label cause: the innermost cause of its trace or a failed task's); absent when nothing fails."),
        ("switchboard_connector_auto_restarts", "Restarts the auto-restart controller made since the connector was last healthy for a while."),
        ("switchboard_connector_auto_restart_gave_up", "1 when the auto-restart controller gave up on the connector, else 0."),
        ("switchboard_connector_drift_keys", "Number of config keys whose live value differs from the catalog."),
        ("switchboard_connector_drift", "1 when the connector's live config or state differs from the catalog (changed behind Switchboard's back), else 0."),
        ("switchboard_sink_topic_lag_records", "Records the sink's consumer group is behind on one topic."),
        ("switchboard_sink_total_lag_records", "Records the sink's consumer group is behind, over all its topics."),
        ("switchboard_sink_dead_letter_records", "Records in the sink's dead-letter topic (label topic): records it could not write, with Connect's error headers. Growth pages the owner."),
        ("switchboard_connector_records_per_second", "Throughput over the last three minutes: a sink's committed offsets advancing, a source's topics' end offsets advancing (all producers of those topics)."),
        ("switchboard_cluster_up", "1 when the last poll of the cluster succeeded, else 0."),
        ("switchboard_cluster_last_successful_poll_timestamp_seconds", "Unix time of the last successful poll of the cluster."),
        ("switchboard_cluster_poll_errors_total", "Polls of the cluster that failed."),
        ("switchboard_actions_total", "Actions taken or refused through Switchboard."),
        ("switchboard_gitops_last_sync_timestamp_seconds", "Unix time the GitOps controller last synced the cluster."),
        ("switchboard_gitops_last_sync_success", "1 when the last sync of the cluster left it as the catalog wants (or reported only, by its mode), 0 when it failed, was refused or could not read the cluster."),
        ("switchboard_gitops_commits_behind", "Commits of the followed branch that the cluster does not match yet."),
        ("switchboard_gitops_pending_changes", "Changes a sync would make on the cluster now (manual mode, drift reported, or failed)."),
        ("switchboard_gitops_drift", "Managed connectors changed behind Switchboard's back: they differ from the commit applied."),
        ("switchboard_gitops_last_sync_duration_seconds", "How long the GitOps controller's last sync took, from the fetch to the last outcome."),
        ("switchboard_gitops_fetch_success", "1 when the last fetch of the catalog repository worked, else 0."),
        ("switchboard_gitops_commit_refused", "1 while the newest commit of the branch is refused (it has problems; the last good one is served), else 0."),
        ("switchboard_gitops_last_fetch_timestamp_seconds", "Unix time of the last fetch of the catalog repository."),
    ])

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? name)
    }

    /// The gauges one update wants: their exposition lines, by metric name. Each series is set
    /// once per update.
    public struct Desired {
        /// Each family's lines, in chunks of ``chunkSize`` bytes: at 20,000 connectors the text
        /// is 17 MB, which grown by doubling (and copied to its final size) held three times that.
        var families: [String: [ByteBuffer]] = [:]
        static let chunkSize = 256 << 10
        /// Label values already scrubbed in this update (clusters, teams, states and types repeat
        /// for every connector).
        private var scrubbed: [String: String] = [:]

        public init() {}

        public mutating func set(_ name: String, _ labels: [(String, String)], _ value: Double) {
            var line = name
            if !labels.isEmpty {
                line += "{"
                for (index, label) in labels.enumerated() {
                    if index > 0 { line += "," }
                    line += label.0 + "=\"" + clean(label.1) + "\""
                }
                line += "}"
            }
            line += " " + Self.format(value) + "\n"
            Self.append(line, to: &families[name, default: []])
        }

        /// A label value through the scrubber (names and states; scrubbed all the same), escaped
        /// as the exposition format wants.
        private mutating func clean(_ value: String) -> String {
            if let known = scrubbed[value] { return known }
            let clean = Scrubber.scrub(value).replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
            scrubbed[value] = clean
            return clean
        }

        /// Chunks are the buffers a scrape writes out as they are (no copy per scrape).
        /// The last chunk is written in place: a copy of it held while writing (`if let last =
        /// chunks.last`) made every line copy the whole chunk, seconds per render at 20,000 connectors.
        static func append(_ line: String, to chunks: inout [ByteBuffer]) {
            let count = line.utf8.count
            let last = chunks.count - 1
            if last >= 0, chunks[last].writableBytes >= count {
                chunks[last].writeString(line)
            } else {
                var chunk = ByteBufferAllocator().buffer(capacity: max(chunkSize, count))
                chunk.writeString(line)
                chunks.append(chunk)
            }
        }

        static func format(_ value: Double) -> String {
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        }
    }

    /// Every snapshot-derived gauge of the snapshot (and of the latest readings).
    func render(_ snapshot: Snapshot, readings: Readings = Readings()) -> Desired {
        let (lag, rates) = (readings.lag, readings.rates)
        var desired = Desired()
        func set(_ name: String, _ labels: [(String, String)], _ value: Double) {
            desired.set(name, labels, value)
        }
        for connector in snapshot.connectors.values {
            let base = [("cluster", connector.cluster), ("connector", connector.name), ("team", connector.team ?? "")]
            let typed = base + [("type", connector.type ?? "")]
            set("switchboard_connector_state", typed + [("state", connector.state)], 1)
            set("switchboard_connector_failed", typed, connector.isFailed ? 1 : 0)
            set("switchboard_connector_failed_tasks", typed, Double(connector.failedTasks))
            if let cause = connector.cause {
                // Failing connectors only: the series stay as few as the failures.
                set("switchboard_connector_failure_cause", base + [("cause", cause)], 1)
            }
            if connector.autoRestart.enabled || connector.restartStatus != nil {
                set("switchboard_connector_auto_restarts", typed, Double(connector.restartStatus?.restarts ?? 0))
                set("switchboard_connector_auto_restart_gave_up", typed, connector.restartStatus?.gaveUp == true ? 1 : 0)
            }
            for task in connector.tasks {
                set("switchboard_task_state", typed + [("task", String(task.id)), ("state", task.state)], 1)
            }
            if connector.managed {
                set("switchboard_connector_drift_keys", base, Double(connector.drift.count))
                set("switchboard_connector_drift", base, connector.drifts ? 1 : 0)
            }
            if let rate = rates[connector.key] {
                set("switchboard_connector_records_per_second", typed, rate)
            }
            if let sinkLag = lag[connector.key] {
                set("switchboard_sink_total_lag_records", base, Double(sinkLag.total))
                for (topic, records) in sinkLag.perTopic {
                    set("switchboard_sink_topic_lag_records", base + [("topic", topic)], Double(records))
                }
            }
            if let deadLetters = readings.deadLetters[connector.key], let topic = DeadLetters.topic(of: connector) {
                set("switchboard_sink_dead_letter_records", base + [("topic", topic)], Double(deadLetters))
            }
        }
        for cluster in snapshot.clusters.values {
            set("switchboard_cluster_up", [("cluster", cluster.name)], cluster.isReachable ? 1 : 0)
            if let readAt = cluster.readAt {
                set("switchboard_cluster_last_successful_poll_timestamp_seconds", [("cluster", cluster.name)], readAt.timeIntervalSince1970)
            }
        }
        return desired
    }

    /// Sets the owner's gauges to `desired`, replacing all it had before (series that are gone
    /// go with them). Each owner (the snapshot, a controller) replaces only its own.
    ///
    /// Gauges are kept as exposition text, not as registry gauges: swift-prometheus copies a
    /// family's series on each registration, which made a first snapshot of 20,000 connectors
    /// (120,000 series) take minutes. Counters stay in the registry.
    public func install(_ desired: Desired, owner: String) {
        let parts = Self.exposition(of: desired)
        gauges.withLockedValue { $0[owner] = parts }
    }

    /// The families' text, each under its HELP and TYPE lines, in name order.
    static func exposition(of desired: Desired) -> [ByteBuffer] {
        var parts: [ByteBuffer] = []
        for (name, chunks) in desired.families.sorted(by: { $0.key < $1.key }) {
            parts.append(ByteBuffer(string: "# HELP \(name) \(Self.help[name] ?? name)\n# TYPE \(name) gauge\n"))
            parts += chunks
        }
        return parts
    }

    public func pollFailed(cluster: String) {
        registry.makeCounter(descriptor: Self.descriptor("switchboard_cluster_poll_errors_total"), labels: [("cluster", cluster)]).increment()
    }

    public func recordAction(cluster: String, team: String?, action: String, outcome: String) {
        registry.makeCounter(descriptor: Self.descriptor("switchboard_actions_total"), labels: [("cluster", cluster), ("team", team ?? ""), ("action", action), ("outcome", outcome)].map { ($0.0, Scrubber.scrub($0.1)) }).increment()
    }

    /// The exposition text, joined (for tests and small servers; `/metrics` writes the parts).
    public func emit() -> [UInt8] {
        let parts = exposition()
        var text: [UInt8] = []
        text.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes })
        for part in parts { text.append(contentsOf: part.readableBytesView) }
        return text
    }

    /// The exposition text in its parts, in order: the registry's, then each owner's gauge
    /// families, the snapshot's rendered now from the latest snapshot and readings. A scrape
    /// writes them one after the other: at 20,000 connectors they are 17 MB, which joined (and
    /// grown by doubling) cost 50 MB per scrape.
    public func exposition() -> [ByteBuffer] {
        var owners = gauges.withLockedValue { $0 }
        owners["snapshot"] = rendering.withLock {
            let now = latest.withLockedValue { $0 }
            if let rendered = now.rendered { return rendered }
            let parts = Self.exposition(of: render(now.snapshot, readings: now.readings))
            latest.withLockedValue { latest in
                if latest.generation == now.generation { latest.rendered = parts }
            }
            return parts
        }
        var registered: [UInt8] = []
        registry.emit(into: &registered)
        return [ByteBuffer(bytes: registered)] + owners.sorted(by: { $0.key < $1.key }).flatMap(\.value)
    }
}
