import Dispatch
import Foundation
import KafkaLag
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

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

    /// The newest records, and a note when there are none to show or the read was cut short.
    public struct Read: Sendable {
        public var records: [DeadLetters.Record]
        public var note: String?
    }

    /// The newest records of `topic` on `cluster`'s broker.
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
            // Made ready once for every header of every record (a cluster has thousands of values).
            let known = Scrubber.KnownSecrets(secrets)
            let records = raw.map { Self.record($0, known: known) }
            return Read(records: records, note: complete ? nil : "the broker did not give every partition's newest records within \(timeoutMs) ms; these are what it gave")
        case .failure(let error):
            return Read(records: [], note: Scrubber.scrub("the dead letters could not be read: \(error.message)", values: secrets))
        }
    }

    /// A dead letter's headers as the API shows them, scrubbed; headers other than Connect's are left out.
    static func record(_ raw: RawDeadLetter, known: Scrubber.KnownSecrets) -> DeadLetters.Record {
        let prefix = "__connect.errors."
        var headers: [String: String] = [:]
        for header in raw.headers where header.name.hasPrefix(prefix) {
            headers[String(header.name.dropFirst(prefix.count))] = Scrubber.scrub(header.value, known: known)
        }
        return DeadLetters.Record(
            partition: raw.partition, offset: raw.offset, at: raw.timestampMs.map { Date(timeIntervalSince1970: Double($0) / 1000) },
            originalTopic: headers["topic"], originalPartition: headers["partition"].flatMap { Int($0) }, originalOffset: headers["offset"].flatMap { Int64($0) },
            stage: headers["stage"], stageClass: headers["class.name"], taskID: headers["task.id"].flatMap { Int($0) },
            exceptionClass: headers["exception.class.name"], exceptionMessage: headers["exception.message"].map { String($0.prefix(FailureCause.maxLength)) },
            cause: FailureCause.innermost(headers["exception.stacktrace"]))
    }
}
