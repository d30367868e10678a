import Dispatch
import Foundation
import KafkaLag
import NIOConcurrencyHelpers
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

extension ClusterDefinition.Kafka {
    /// librdkafka settings for this broker: security, SASL (the password from the environment
    /// variable named), and a deadline for connecting (each call has its own timeout too).
    public func clientProperties(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var properties: [String: String] = [:]
        if let securityProtocol { properties["security.protocol"] = securityProtocol }
        if let saslMechanism { properties["sasl.mechanism"] = saslMechanism }
        if let saslUsername { properties["sasl.username"] = saslUsername }
        if let saslPasswordEnv, let password = environment[saslPasswordEnv] { properties["sasl.password"] = password }
        properties["socket.connection.setup.timeout.ms"] = "5000"
        return properties
    }
}

/// Runs a blocking librdkafka call on `queue`, off Swift's cooperative pool. A cancelled task
/// does not wait for it: the answer is `cancelled` at once, and the call's late result is dropped.
func blockingRead<T: Sendable>(on queue: DispatchQueue, cancelled: T, _ work: @escaping @Sendable () -> T) async -> T {
    let once = NIOLockedValueBox<CheckedContinuation<T, Never>?>(nil)
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            once.withLockedValue { $0 = continuation }
            if Task.isCancelled { once.withLockedValue { $0.take() }?.resume(returning: cancelled) }
            queue.async {
                let result = work()
                once.withLockedValue { $0.take() }?.resume(returning: result)
            }
        }
    } onCancel: {
        once.withLockedValue { $0.take() }?.resume(returning: cancelled)
    }
}

/// The newest records of a sink's dead-letter topic, read from the broker when a reader of the
/// connector asks (its page, the API, the CLI) and turned into ``DeadLetters/Record``s: the
/// `__connect.errors.*` headers only, every text scrubbed with the cluster's secret values.
public struct DeadLetterPeek: Sendable {
    public static let limit = 20
    let store: SnapshotStore
    let environment: [String: String]
    let timeoutMs: Int32
    private static let queue = DispatchQueue(label: "switchboard.dead-letters", attributes: .concurrent)

    public init(store: SnapshotStore, environment: [String: String] = ProcessInfo.processInfo.environment, timeoutMs: Int32 = 5000) {
        (self.store, self.environment, self.timeoutMs) = (store, environment, timeoutMs)
    }

    /// The newest records of `topic` on `cluster`'s broker, and a note when there are none to
    /// show or the read was cut short.
    /// The newest records, and a note when there are none to show or the read was cut short.
    public struct Read: Sendable {
        public var records: [DeadLetters.Record]
        public var note: String?
    }

    public func recent(cluster: String, topic: String) async -> Read {
        guard let kafka = store.catalog.cluster(named: cluster)?.kafka else {
            return Read(records: [], note: "cluster \(cluster) has no kafka.bootstrapServers in switchboard.yaml, so its dead letters cannot be read")
        }
        let properties = kafka.clientProperties(environment: environment), timeoutMs = self.timeoutMs
        let secrets = store.secretValues(cluster: cluster)
        let read: Result<(records: [RawDeadLetter], complete: Bool), LagError> = await blockingRead(on: Self.queue, cancelled: .failure(LagError("the read was cancelled"))) {
            Result { try DeadLetterReader.recent(bootstrapServers: kafka.bootstrapServers, properties: properties, topic: topic, limit: Self.limit, timeoutMs: timeoutMs) }
                .mapError { $0 as? LagError ?? LagError("\($0)") }
        }
        switch read {
        case .success(let (raw, complete)):
            let records = raw.map { Self.record($0, secrets: secrets) }
            return Read(records: records, note: complete ? nil : "the broker did not give every partition's newest records within \(timeoutMs) ms; these are what it gave")
        case .failure(let error):
            return Read(records: [], note: Scrubber.scrub("the dead letters could not be read: \(error.message)", values: secrets))
        }
    }

    /// A dead letter's headers as the API shows them, scrubbed; headers other than Connect's are left out.
    static func record(_ raw: RawDeadLetter, secrets: some Sequence<String>) -> DeadLetters.Record {
        let prefix = "__connect.errors."
        var headers: [String: String] = [:]
        for header in raw.headers where header.name.hasPrefix(prefix) {
            headers[String(header.name.dropFirst(prefix.count))] = Scrubber.scrub(header.value, values: secrets)
        }
        return DeadLetters.Record(
            partition: raw.partition, offset: raw.offset, at: raw.timestampMs.map { Date(timeIntervalSince1970: Double($0) / 1000) },
            originalTopic: headers["topic"], originalPartition: headers["partition"].flatMap { Int($0) }, originalOffset: headers["offset"].flatMap { Int64($0) },
            stage: headers["stage"], stageClass: headers["class.name"], taskID: headers["task.id"].flatMap { Int($0) },
            exceptionClass: headers["exception.class.name"], exceptionMessage: headers["exception.message"].map { String($0.prefix(FailureCause.maxLength)) },
            cause: FailureCause.innermost(headers["exception.stacktrace"]))
    }
}
