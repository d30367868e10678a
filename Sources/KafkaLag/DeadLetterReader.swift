import CRdKafka
import Dispatch
import Foundation

/// One record read from a dead-letter topic: where it sits and its headers (name, value as
/// UTF-8). The record's key and value are never read into it.
public struct RawDeadLetter: Sendable {
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since 1970, when the broker gave one.
    public var timestampMs: Int64?
    public var headers: [(name: String, value: String)]

    public init(partition: Int32, offset: Int64, timestampMs: Int64?, headers: [(name: String, value: String)]) {
        (self.partition, self.offset, self.timestampMs, self.headers) = (partition, offset, timestampMs, headers)
    }
}

/// Reads the newest records of a dead-letter topic with a librdkafka consumer that joins no
/// group and commits nothing: it assigns itself each partition's last `limit` offsets, reads to
/// the end of each (or until the deadline), and keeps the headers Connect wrote
/// (`__connect.errors.*`). A consumer lives for one read; reads are rare (a page view, shared by
/// every viewer for a few seconds) and each has its own deadline.
public enum DeadLetterReader {
    /// The newest `limit` records of `topic`, newest first. Blocks (librdkafka) for at most
    /// `timeoutMs`; what was read by then is returned, with `complete` false.
    public static func recent(bootstrapServers: String, properties: [String: String], topic: String, limit: Int,
                              timeoutMs: Int32 = 5000) throws -> (records: [RawDeadLetter], complete: Bool) {
        let consumer = try Consumer(bootstrapServers: bootstrapServers, properties: properties)
        // Leaving is librdkafka's business: the answer does not wait for it.
        defer { DispatchQueue.global().async { consumer.close() } }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        let ranges = try consumer.lastOffsets(topic: topic, limit: limit, deadline: deadline)
        guard !ranges.isEmpty else { return ([], true) }
        try consumer.assign(topic: topic, starts: ranges.mapValues(\.start))
        var records: [RawDeadLetter] = []
        var open = Set(ranges.keys)
        while !open.isEmpty, ContinuousClock.now < deadline {
            guard let message = rd_kafka_consumer_poll(consumer.handle, 200) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let partition = message.pointee.partition
            if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                open.remove(partition)
                continue
            }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw LagError("reading \(topic)[\(partition)] from \(bootstrapServers): \(String(cString: rd_kafka_err2str(message.pointee.err)))")
            }
            records.append(read(message))
            if let end = ranges[partition]?.end, message.pointee.offset + 1 >= end { open.remove(partition) }
        }
        let newest = records.sorted { ($0.timestampMs ?? 0, $0.offset) > ($1.timestampMs ?? 0, $1.offset) }
        return (Array(newest.prefix(limit)), open.isEmpty)
    }

    /// A message's place, time and headers.
    static func read(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> RawDeadLetter {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        var headers: [(name: String, value: String)] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                if let name {
                    let bytes = value.map { UnsafeRawBufferPointer(start: $0, count: size) }.map(Array.init) ?? []
                    headers.append((String(cString: name), String(decoding: bytes, as: UTF8.self)))
                }
                index += 1
            }
        }
        return RawDeadLetter(partition: message.pointee.partition, offset: message.pointee.offset,
                             timestampMs: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp, headers: headers)
    }

    /// A consumer of no group, for one read (`properties` bring the connection deadline, as the
    /// lag reader's do). Used by one thread at a time: the read, then the close handed to another queue.
    final class Consumer: @unchecked Sendable {
        let handle: OpaquePointer
        let bootstrapServers: String

        init(bootstrapServers: String, properties: [String: String]) throws {
            self.bootstrapServers = bootstrapServers
            handle = try LagReader.client(RD_KAFKA_CONSUMER, [
                "bootstrap.servers": bootstrapServers, "client.id": "switchboard-dead-letters", "log_level": "3", "group.id": "switchboard-dead-letters",
                "enable.auto.commit": "false", "enable.auto.offset.store": "false", "enable.partition.eof": "true",
            ].merging(properties) { $1 })
        }

        /// Per partition of `topic` that holds records: where its last `limit` begin, and its end.
        /// Every call waits at most what is left until `deadline`.
        func lastOffsets(topic: String, limit: Int, deadline: ContinuousClock.Instant) throws -> [Int32: (start: Int64, end: Int64)] {
            func left() throws -> Int32 {
                let left = deadline - ContinuousClock.now
                guard left > .milliseconds(10) else { throw LagError("\(bootstrapServers) did not give the offsets of \(topic) in time") }
                return Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            }
            let partitions = try LagReader.partitionCounts(handle, from: bootstrapServers, timeoutMs: left())[topic] ?? 0
            var ranges: [Int32: (start: Int64, end: Int64)] = [:]
            for partition in 0..<partitions {
                let (low, high) = try LagReader.watermarks(handle, topic: topic, partition: partition, timeoutMs: left())
                if high > low { ranges[partition] = (max(low, high - Int64(limit)), high) }
            }
            return ranges
        }

        func assign(topic: String, starts: [Int32: Int64]) throws {
            guard let list = rd_kafka_topic_partition_list_new(Int32(starts.count)) else { throw LagError("librdkafka could not make a partition list") }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (partition, start) in starts {
                rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = start
            }
            let code = rd_kafka_assign(handle, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LagError("reading \(topic): \(String(cString: rd_kafka_err2str(code)))") }
        }

        func close() {
            _ = rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        }
    }
}
