import Foundation

/// A sink's dead-letter queue: how many records are in it and how fast it grows (everyone who
/// sees the connector), and, for readers and above, the error context of its newest records
/// from the headers Connect writes (`__connect.errors.*`), scrubbed. Never a record's key or value.
public struct DeadLetters: Sendable, Codable, Equatable {
    /// One record in the dead-letter topic, as its headers describe it.
    public struct Record: Sendable, Codable, Equatable {
        /// Where it sits in the dead-letter topic.
        public var partition: Int32
        public var offset: Int64
        public var at: Date?
        /// Where the record came from (`__connect.errors.topic`, `.partition`, `.offset`).
        public var originalTopic: String?
        public var originalPartition: Int?
        public var originalOffset: Int64?
        /// The stage that failed (`KEY_CONVERTER`, `VALUE_CONVERTER`, `TRANSFORMATION`, `TASK_PUT`, ...) and its class.
        public var stage: String?
        public var stageClass: String?
        public var taskID: Int?
        /// The exception's class and message, and the innermost cause of its stack trace in one line.
        public var exceptionClass: String?
        public var exceptionMessage: String?
        public var cause: String?

        public init(partition: Int32, offset: Int64, at: Date? = nil, originalTopic: String? = nil, originalPartition: Int? = nil, originalOffset: Int64? = nil,
                    stage: String? = nil, stageClass: String? = nil, taskID: Int? = nil, exceptionClass: String? = nil, exceptionMessage: String? = nil, cause: String? = nil) {
            (self.partition, self.offset, self.at, self.originalTopic, self.originalPartition, self.originalOffset) = (partition, offset, at, originalTopic, originalPartition, originalOffset)
            (self.stage, self.stageClass, self.taskID, self.exceptionClass, self.exceptionMessage, self.cause) = (stage, stageClass, taskID, exceptionClass, exceptionMessage, cause)
        }
    }

    public var cluster: String
    public var connector: String
    /// The dead-letter topic (`errors.deadletterqueue.topic.name`).
    public var topic: String
    /// Records in the topic now (its partitions' end minus start offsets), from the lag poller's last round; nil before one read it.
    public var records: Int64?
    /// Growth over the last minutes, in records per minute, when two rounds are known.
    public var perMinute: Double?
    /// Whether Connect writes the error headers (`errors.deadletterqueue.context.headers.enable`).
    public var headersEnabled: Bool
    /// The newest records' error context, newest first (readers and above; nil otherwise).
    public var recent: [Record]?
    /// Why `recent` is absent or short: the caller's role, the broker's answer, a read cut at its deadline.
    public var recentNote: String?

    public init(cluster: String, connector: String, topic: String, records: Int64? = nil, perMinute: Double? = nil, headersEnabled: Bool,
                recent: [Record]? = nil, recentNote: String? = nil) {
        (self.cluster, self.connector, self.topic, self.records, self.perMinute) = (cluster, connector, topic, records, perMinute)
        (self.headersEnabled, self.recent, self.recentNote) = (headersEnabled, recent, recentNote)
    }

    /// The config key naming a sink's dead-letter topic.
    public static let topicKey = "errors.deadletterqueue.topic.name"
    public static let headersKey = "errors.deadletterqueue.context.headers.enable"

    /// The dead-letter topic of a connector: a sink whose config names one.
    public static func topic(of connector: ConnectorView) -> String? {
        guard connector.type == "sink", let topic = connector.config[topicKey]?.trimmingCharacters(in: .whitespaces), !topic.isEmpty else { return nil }
        return topic
    }
}
