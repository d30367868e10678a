import CRdKafka
import Foundation

/// Why lag could not be read.
public struct LagError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// How far a sink connector's consumer group is behind: per topic and in total.
public struct SinkLag: Sendable, Equatable, Codable {
    public var perTopic: [String: Int64]
    public var total: Int64 { perTopic.values.reduce(0, +) }
    /// The sum of the group's committed offsets: it grows by the records the sink consumed.
    public var committed: Int64

    public init(perTopic: [String: Int64], committed: Int64 = 0) {
        self.perTopic = perTopic
        self.committed = committed
    }
}

/// Reads the lag of consumer groups from the Kafka-protocol broker with librdkafka: committed
/// offsets through the admin API (ListConsumerGroupOffsets), end offsets through watermark
/// queries, partition counts from one metadata request. A sink connector's group is
/// `connect-<connector>` (Connect records no sink lag itself: `sink-record-lag-max` is never set).
///
/// The calls block; callers run them off the cooperative pool. One handle per cluster, thread-safe.
public final class LagReader: @unchecked Sendable {
    private let handle: OpaquePointer
    public let bootstrapServers: String
    public var timeoutMs: Int32 = 5000

    /// `properties` are librdkafka settings (security.protocol, sasl.mechanism, ...).
    public init(bootstrapServers: String, properties: [String: String] = [:]) throws {
        self.bootstrapServers = bootstrapServers
        handle = try Self.client(RD_KAFKA_PRODUCER, ["bootstrap.servers": bootstrapServers, "client.id": "switchboard-lag", "log_level": "3"].merging(properties) { $1 })
    }

    /// A librdkafka client of `type` with `settings`; a setting it refuses is an error naming it.
    static func client(_ type: rd_kafka_type_t, _ settings: [String: String]) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw LagError("librdkafka could not create a configuration") }
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in settings where rd_kafka_conf_set(conf, key, value, &error, error.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw LagError("librdkafka setting \(key): \(Self.text(error))")
        }
        guard let handle = rd_kafka_new(type, conf, &error, error.count) else {
            throw LagError("librdkafka could not start a client for \(settings["bootstrap.servers"] ?? "the broker"): \(Self.text(error))")
        }
        return handle
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Every topic's partition count (one metadata request).
    public func partitionCounts() throws -> [String: Int32] {
        try Self.partitionCounts(handle, from: bootstrapServers, timeoutMs: timeoutMs)
    }

    /// Every topic's partition count, asked of any librdkafka client (one metadata request).
    static func partitionCounts(_ handle: OpaquePointer, from bootstrapServers: String, timeoutMs: Int32) throws -> [String: Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw LagError("metadata from \(bootstrapServers): \(String(cString: rd_kafka_err2str(code)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int32] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            counts[String(cString: topic.topic)] = topic.partition_cnt
        }
        return counts
    }

    /// The committed offsets of a consumer group, by topic and partition.
    public func committedOffsets(group: String) throws -> [String: [Int32: Int64]] {
        guard let request = rd_kafka_ListConsumerGroupOffsets_new(group, nil) else { throw LagError("cannot ask for the offsets of \(group)") }
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
        guard let queue = rd_kafka_queue_new(handle) else { throw LagError("librdkafka could not create a queue") }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var error = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &error, error.count)
        var requests: [OpaquePointer?] = [request]
        rd_kafka_ListConsumerGroupOffsets(handle, &requests, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1000) else {
            throw LagError("no answer about group \(group) from \(bootstrapServers)")
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw LagError("offsets of group \(group): \(String(cString: rd_kafka_event_error_string(event)))")
        }
        guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event) else { throw LagError("no offsets result for \(group)") }
        var count = 0
        guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0, let first = groups[0] else { return [:] }
        if let groupError = rd_kafka_group_result_error(first) {
            throw LagError("offsets of group \(group): \(String(cString: rd_kafka_error_string(groupError)))")
        }
        var offsets: [String: [Int32: Int64]] = [:]
        guard let partitions = rd_kafka_group_result_partitions(first) else { return [:] }
        for index in 0..<Int(partitions.pointee.cnt) {
            let element = partitions.pointee.elems[index]
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 else { continue }
            offsets[String(cString: element.topic), default: [:]][element.partition] = element.offset
        }
        return offsets
    }

    /// The low and high watermarks (first and next offset) of a partition.
    public func watermarks(topic: String, partition: Int32) throws -> (low: Int64, high: Int64) {
        try Self.watermarks(handle, topic: topic, partition: partition, timeoutMs: timeoutMs)
    }

    /// A partition's watermarks, asked of any librdkafka client.
    static func watermarks(_ handle: OpaquePointer, topic: String, partition: Int32, timeoutMs: Int32) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let code = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw LagError("end offsets of \(topic)[\(partition)]: \(String(cString: rd_kafka_err2str(code)))")
        }
        return (low, high)
    }

    /// The lag of a sink connector's group over `topics`: end offset minus committed offset per
    /// partition; a partition the group never committed counts from its first offset.
    public func lag(group: String, topics: [String], partitionCounts: [String: Int32]) throws -> SinkLag {
        try Self.lag(topics: topics, committed: committedOffsets(group: group), partitionCounts: partitionCounts, watermarks: watermarks)
    }

    /// The arithmetic of ``lag(group:topics:partitionCounts:)``, apart from the broker: every
    /// partition of `topics` and every partition the group committed counts, never below zero.
    public static func lag(topics: [String], committed: [String: [Int32: Int64]], partitionCounts: [String: Int32],
                    watermarks: (String, Int32) throws -> (low: Int64, high: Int64)) rethrows -> SinkLag {
        var perTopic: [String: Int64] = [:]
        for topic in Set(topics).union(committed.keys) {
            let partitions = Set(0..<(partitionCounts[topic] ?? 0)).union(committed[topic]?.keys ?? [:].keys)
            var lag: Int64 = 0
            for partition in partitions {
                let (low, high) = try watermarks(topic, partition)
                lag += max(0, high - (committed[topic]?[partition] ?? low))
            }
            perTopic[topic] = lag
        }
        return SinkLag(perTopic: perTopic, committed: committed.values.reduce(0) { $0 + $1.values.reduce(0, +) })
    }

    /// A NUL-terminated C buffer as a String.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The group of a sink connector.
    public static func group(ofSink connector: String) -> String { "connect-\(connector)" }
}
