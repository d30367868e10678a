import Dispatch
import Foundation
import KafkaLag
import Logging
import ServiceLifecycle
import SwitchboardCore

/// Reads the lag of every sink connector on an interval: its consumer group
/// `connect-<connector>` on the cluster's broker (`kafka.bootstrapServers` in switchboard.yaml).
/// librdkafka blocks, so the reads run on a queue of their own, not on Swift's cooperative pool.
public struct LagPoller: Service {
    let store: SnapshotStore
    let interval: Duration
    let readers: [String: LagReader]
    let logger: Logger
    /// How long one cluster's lag read may take in all (each broker call has its own 5 s timeout).
    let deadline: Duration
    private static let queue = DispatchQueue(label: "switchboard.lag")

    /// Clusters without Kafka settings are skipped; a cluster whose client cannot start is logged.
    public init(store: SnapshotStore, interval: Duration = .seconds(15), deadline: Duration = .seconds(30), environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "switchboard.lag")) {
        self.store = store
        self.interval = interval
        self.deadline = deadline
        self.logger = logger
        var readers: [String: LagReader] = [:]
        for cluster in store.catalog.clusters {
            guard let kafka = cluster.kafka else { continue }
            var properties: [String: String] = [:]
            if let protocolName = kafka.securityProtocol { properties["security.protocol"] = protocolName }
            if let mechanism = kafka.saslMechanism { properties["sasl.mechanism"] = mechanism }
            if let user = kafka.saslUsername { properties["sasl.username"] = user }
            if let variable = kafka.saslPasswordEnv, let password = environment[variable] { properties["sasl.password"] = password }
            // Connecting to the broker has a deadline too (each call has its own timeout).
            properties["socket.connection.setup.timeout.ms"] = "5000"
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
            try await gracefulShutdown()
            return
        }
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await poll()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Reads every sink's lag once.
    public func poll() async {
        let snapshot = store.current
        var results: [String: SinkLag] = [:]
        for (cluster, reader) in readers {
            let sinks = snapshot.connectors.values.filter { $0.cluster == cluster && $0.type == "sink" }
            let logger = self.logger
            let deadline = ContinuousClock.now + self.deadline
            let lag: [String: SinkLag] = await withCheckedContinuation { continuation in
                Self.queue.async {
                    var lag: [String: SinkLag] = [:]
                    do {
                        let partitions = try reader.partitionCounts()
                        for sink in sinks {
                            guard ContinuousClock.now < deadline else {
                                logger.warning("Sink lag read stopped at its deadline; the broker answers slowly", metadata: ["cluster": "\(cluster)"])
                                break
                            }
                            do {
                                lag[sink.key] = try reader.lag(group: LagReader.group(ofSink: sink.name), topics: Self.topics(of: sink, among: Array(partitions.keys)), partitionCounts: partitions)
                            } catch {
                                logger.debug("Sink lag unavailable", metadata: ["connector": "\(sink.key)", "error": "\(error)"])
                            }
                        }
                    } catch {
                        logger.warning("Broker metadata unavailable", metadata: ["cluster": "\(cluster)", "error": "\(error)"])
                    }
                    continuation.resume(returning: lag)
                }
            }
            results.merge(lag) { $1 }
        }
        store.setLag(results, clusters: Set(readers.keys))
    }

    /// A sink's topics: `topics` (comma-separated), or the broker's topics matching `topics.regex`.
    static func topics(of sink: ConnectorView, among names: [String]) -> [String] {
        if let list = sink.config["topics"] {
            return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        // `try?`: a Java pattern Foundation cannot compile matches nothing here; the lag still
        // counts every topic the group committed offsets for.
        if let pattern = sink.config["topics.regex"], let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$") {
            return names.filter { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
        }
        return []
    }
}

// ServiceLifecycle logs each service as "\(service)": a name, not every field (a field can
// lead to a cluster's credentials).
extension LagPoller: CustomStringConvertible {
    public var description: String { "LagPoller" }
}
