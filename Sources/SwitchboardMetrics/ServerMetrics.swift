import Foundation
import KafkaLag
import NIOConcurrencyHelpers
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
    private let gauges = NIOLockedValueBox<[String: [[UInt8]]]>([:])
    /// Each family's size in bytes at its last render: the next render reserves it at once (a
    /// family grown by doubling held up to twice its 17 MB at 20,000 connectors).
    private let sizes = NIOLockedValueBox<[String: Int]>([:])
    /// The latest snapshot and readings, and whether the snapshot's gauges were rendered from
    /// them: they are rendered when scraped (``emit()``), at most once per snapshot or reading,
    /// not at every poll (at 20,000 connectors a render is 120,000 lines; Prometheus scrapes
    /// every 15-60 s, polls come every 5 s).
    private let latest = NIOLockedValueBox<(snapshot: Snapshot, readings: Readings, rendered: Bool)>((.empty, Readings(), true))
    /// One render at a time; a scrape during a render waits for it.
    private let rendering = NIOLock()

    public init() {}

    // MARK: SnapshotObserver

    public func published(_ snapshot: Snapshot) {
        latest.withLockedValue { latest in
            latest.snapshot = snapshot
            latest.rendered = false
        }
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
        latest.withLockedValue { latest in
            latest.readings = readings
            latest.rendered = false
        }
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
        var families: [String: [UInt8]] = [:]
        /// Label values already scrubbed in this update (clusters, teams, states and types repeat
        /// for every connector).
        private var scrubbed: [String: String] = [:]
        /// The size each family is expected to have (its last one), reserved when it starts.
        private let expected: [String: Int]

        public init(expected: [String: Int] = [:]) {
            self.expected = expected
        }

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
            if families[name] == nil {
                var family: [UInt8] = []
                family.reserveCapacity(expected[name] ?? 0)
                families[name] = family
            }
            families[name]!.append(contentsOf: line.utf8)
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

        static func format(_ value: Double) -> String {
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        }
    }

    /// Brings every snapshot-derived gauge to the snapshot (and the latest lag).
    public func update(_ snapshot: Snapshot, readings: Readings = Readings()) {
        let (lag, rates) = (readings.lag, readings.rates)
        var desired = Desired(expected: sizes.withLockedValue { $0 })
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
        install(desired, owner: "snapshot")
    }

    /// Sets the owner's gauges to `desired`, replacing all it had before (series that are gone
    /// go with them). Each owner (the snapshot, a controller) replaces only its own.
    ///
    /// Gauges are kept as exposition text, not as registry gauges: swift-prometheus copies a
    /// family's series on each registration, which made a first snapshot of 20,000 connectors
    /// (120,000 series) take minutes. Counters stay in the registry.
    public func install(_ desired: Desired, owner: String) {
        var parts: [[UInt8]] = []
        for (name, family) in desired.families.sorted(by: { $0.key < $1.key }) {
            parts.append(Array("# HELP \(name) \(Self.help[name] ?? name)\n# TYPE \(name) gauge\n".utf8))
            // Kept until the next render: without the room a first render grew it by.
            parts.append(family.capacity - family.count > family.count / 4 ? Self.exactCopy(family) : family)
        }
        sizes.withLockedValue { sizes in
            for (name, family) in desired.families { sizes[name] = family.count }
        }
        gauges.withLockedValue { $0[owner] = parts }
    }

    static func exactCopy(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: bytes)
        }
    }

    public func pollFailed(cluster: String) {
        registry.makeCounter(descriptor: Self.descriptor("switchboard_cluster_poll_errors_total"), labels: [("cluster", cluster)]).increment()
    }

    public func recordAction(cluster: String, team: String?, action: String, outcome: String) {
        registry.makeCounter(descriptor: Self.descriptor("switchboard_actions_total"), labels: [("cluster", cluster), ("team", team ?? ""), ("action", action), ("outcome", outcome)].map { ($0.0, Scrubber.scrub($0.1)) }).increment()
    }

    /// The exposition text (the snapshot's gauges rendered first when the snapshot or the
    /// readings changed since the last scrape).
    public func emit() -> [UInt8] {
        let parts = exposition()
        var text: [UInt8] = []
        text.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { text.append(contentsOf: part) }
        return text
    }

    /// The exposition text in its parts, in order: the registry's, then each gauge family's as
    /// rendered at the last change. A scrape writes them one after the other: at 20,000
    /// connectors they are 17 MB, which joined (and grown by doubling) cost 50 MB per scrape.
    public func exposition() -> [[UInt8]] {
        rendering.withLock {
            let pending = latest.withLockedValue { latest -> (Snapshot, Readings)? in
                guard !latest.rendered else { return nil }
                latest.rendered = true
                return (latest.snapshot, latest.readings)
            }
            if let (snapshot, readings) = pending { update(snapshot, readings: readings) }
        }
        var registered: [UInt8] = []
        registry.emit(into: &registered)
        return [registered] + gauges.withLockedValue({ $0 }).sorted(by: { $0.key < $1.key }).flatMap(\.value)
    }
}
