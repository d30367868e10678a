import Dispatch
import Foundation
import KafkaLag
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// Reads the lag of every sink connector on an interval: its consumer group
/// `connect-<connector>` on the cluster's broker (`kafka.bootstrapServers` in switchboard.yaml).
/// librdkafka blocks, so the reads run on a queue of their own, not on Swift's cooperative pool.
public struct LagPoller: Service {
    let store: SnapshotStore
    let flow: DataFlow
    let interval: Duration
    let readers: [String: LagReader]
    let logger: Logger
    /// How long one cluster's lag read may take in all (each broker call has its own 5 s timeout).
    let deadline: Duration
    /// With several replicas, only the lease holder reads; the others take its rounds.
    let share: any FlowShare
    private static let queue = DispatchQueue(label: "switchboard.lag")

    /// Clusters without Kafka settings are skipped; a cluster whose client cannot start is logged.
    public init(store: SnapshotStore, flow: DataFlow, interval: Duration = .seconds(15), deadline: Duration = .seconds(30), environment: [String: String] = ProcessInfo.processInfo.environment,
                share: any FlowShare = LocalFlow(), logger: Logger = Logger(label: "switchboard.lag")) {
        self.store = store
        self.share = share
        self.flow = flow
        self.interval = interval
        self.deadline = deadline
        self.logger = logger
        var readers: [String: LagReader] = [:]
        for cluster in store.catalog.clusters {
            guard let kafka = cluster.kafka else { continue }
            let properties = kafka.clientProperties(environment: environment)
            do {
                readers[cluster.name] = try LagReader(bootstrapServers: kafka.bootstrapServers, properties: properties)
            } catch {
                logger.error("Cannot read sink lag of cluster", metadata: ["cluster": "\(cluster.name)", "error": "\(error)"])
            }
        }
        self.readers = readers
    }

    public func run() async throws {
        guard !readers.isEmpty else {
            // Nothing to read (no cluster has `kafka:` settings). A service that returns early ends
            // the whole server, so wait for the shutdown like the others.
            try? await gracefulShutdown()  // cancelled: the group ends anyway
            return
        }
        try await untilShutdown {
            var taken = Date.distantPast
            while !Task.isCancelled {
                if share.polls {
                    if let round = await poll() { await share.publish("lag", round) }
                } else if let round = await share.latest("lag", as: SharedLag.self), round.at > taken {
                    taken = round.at
                    take(round)
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// A round another replica read, recorded as if read here (the same readings, at its time).
    public func take(_ round: SharedLag) {
        for (cluster, names) in round.brokerTopics { flow.topics.setBrokerTopics(cluster: cluster, names: names) }
        flow.record(round.readings, clusters: Set(round.clusters), at: round.at)
    }

    /// What one round read of a connector: a sink's lag, and the counter whose growth is its
    /// throughput (a sink's committed offsets, a source's topics' end offsets).
    public struct Reading: Sendable, Codable, Equatable {
        public var lag: SinkLag?
        public var counter: Int64?
        /// Records in a sink's dead-letter topic (its partitions' end minus start offsets).
        public var deadLetters: Int64?
    }

    /// Reads every sink's lag and every connector's throughput counter once. End offsets are
    /// read once per partition per round, however many connectors share the topic. Returns the
    /// round as it is shared with other replicas (nil when a stop cut it short).
    @discardableResult
    public func poll() async -> SharedLag? {
        let snapshot = store.current
        // Each connector's topics as the lineage knows them: what Connect reported and what
        // the config names (a sink's `topics` or `topics.regex` over the broker's topics).
        let lineage = flow.lineage(snapshot, catalog: store.catalog)
        var results: [String: Reading] = [:]
        var brokerTopics: [String: [String]] = [:]
        for (cluster, reader) in readers {
            let connectors = snapshot.connectors.values.filter { $0.cluster == cluster }
            let topicsOf = Dictionary(uniqueKeysWithValues: connectors.map { ($0.key, lineage.topics(of: $0.key).map(\.name)) })
            let logger = self.logger
            let deadline = ContinuousClock.now + self.deadline
            // A stop does not wait for librdkafka's blocking read: the round ends at once, and the
            // read's late answer is dropped.
            let (readings, topics) = await blockingRead(on: Self.queue, cancelled: ([String: Reading](), [String]?.none)) {
                Self.read(reader, cluster: cluster, connectors: connectors, topicsOf: topicsOf, deadline: deadline, logger: logger)
            }
            guard !Task.isCancelled else { return nil }
            if let topics {
                flow.topics.setBrokerTopics(cluster: cluster, names: topics)
                brokerTopics[cluster] = topics
            }
            results.merge(readings) { $1 }
        }
        let now = Date()
        flow.record(results, clusters: Set(readers.keys), at: now)
        return SharedLag(at: now, clusters: readers.keys.sorted(), readings: results, brokerTopics: brokerTopics)
    }

    /// One cluster's round, blocking (librdkafka): the readings, and the broker's topics when
    /// its metadata could be read. Sinks first; stops at `deadline`.
    static func read(_ reader: LagReader, cluster: String, connectors: [ConnectorView], topicsOf: [String: [String]], deadline: ContinuousClock.Instant,
                     logger: Logger) -> ([String: Reading], [String]?) {
        var readings: [String: Reading] = [:]
        let partitions: [String: Int32]
        do {
            partitions = try reader.partitionCounts()
        } catch {
            logger.warning("Broker metadata unavailable", metadata: ["cluster": "\(cluster)", "error": "\(error)"])
            return (readings, nil)
        }
        var ends: [String: (low: Int64, high: Int64)] = [:]
        let watermarks = { (topic: String, partition: Int32) throws -> (low: Int64, high: Int64) in
            let key = "\(topic)\u{0}\(partition)"
            if let known = ends[key] { return known }
            let read = try reader.watermarks(topic: topic, partition: partition)
            ends[key] = read
            return read
        }
        for connector in connectors.sorted(by: { $0.type == "sink" && $1.type != "sink" }) {
            guard ContinuousClock.now < deadline else {
                logger.warning("Lag and throughput read stopped at its deadline; the broker answers slowly", metadata: ["cluster": "\(cluster)"])
                break
            }
            do {
                if connector.type == "sink" {
                    let lag = try LagReader.lag(topics: topicsOf[connector.key] ?? [], committed: reader.committedOffsets(group: LagReader.group(ofSink: connector.name)),
                                                partitionCounts: partitions, watermarks: watermarks)
                    readings[connector.key] = Reading(lag: lag, counter: lag.committed,
                                                      deadLetters: try DeadLetters.topic(of: connector).map { try deadLetterCount($0, partitions: partitions, watermarks: watermarks) })
                } else {
                    let topics = (topicsOf[connector.key] ?? []).filter { partitions[$0] != nil }
                    guard !topics.isEmpty else { continue }
                    var end: Int64 = 0
                    for topic in topics {
                        for partition in 0..<(partitions[topic] ?? 0) { end += try watermarks(topic, partition).high }
                    }
                    readings[connector.key] = Reading(counter: end)
                }
            } catch {
                logger.debug("Lag or throughput unavailable", metadata: ["connector": "\(connector.key)", "error": "\(error)"])
            }
        }
        return (readings, Array(partitions.keys))
    }

    /// Records in a dead-letter topic now: 0 while the broker has no such topic (Connect makes it
    /// when the first record fails).
    static func deadLetterCount(_ topic: String, partitions: [String: Int32], watermarks: (String, Int32) throws -> (low: Int64, high: Int64)) throws -> Int64 {
        var records: Int64 = 0
        for partition in 0..<(partitions[topic] ?? 0) {
            let (low, high) = try watermarks(topic, partition)
            records += max(0, high - low)
        }
        return records
    }
}

// ServiceLifecycle logs each service as "\(service)": a name, not every field (a field can
// lead to a cluster's credentials).
extension LagPoller: CustomStringConvertible {
    public var description: String { "LagPoller" }
}
