@preconcurrency import Crypto
import Foundation
import SwitchboardCore

/// Every connector of a cluster as the bulk read (`GET /connectors?expand=info&expand=status`)
/// returned it, with a digest of each one's JSON text: the next read decodes only the connectors
/// whose text differs, and keeps the decoded value of every other one. A server reads each
/// cluster every few seconds; at 20,000 connectors nearly all are the same from one read to the
/// next, and decoding them all again was most of a poll's CPU and of its memory at its peak.
public struct BulkRead: Sendable {
    public var connectors: [String: ConnectorSnapshot]
    /// SHA-256 of each connector's text (its first 16 bytes): equal digests, equal text.
    var digests: [String: TextDigest]

    public init() {
        connectors = [:]
        digests = [:]
    }

    struct TextDigest: Hashable, Sendable {
        var high: UInt64
        var low: UInt64

        init(_ text: UnsafeRawBufferPointer) {
            (high, low) = SHA256.hash(data: text).withUnsafeBytes { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        }
    }

    /// The connectors of `body` (the bulk read's JSON object), each decoded unless `earlier`
    /// holds the same text for it. A connector that does not decode is an error naming it, as is
    /// a name given twice: nothing of a read that is not understood is taken.
    static func decode(_ body: UnsafeRawBufferPointer, reusing earlier: BulkRead?) throws -> BulkRead {
        let members = try JSONMembers.split(body)
        var read = BulkRead()
        read.connectors.reserveCapacity(members.count)
        read.digests.reserveCapacity(members.count)
        let decoder = JSONDecoder()
        var pool = StringPool()
        for (name, range) in members {
            let text = UnsafeRawBufferPointer(rebasing: body[range])
            let digest = TextDigest(text)
            guard read.digests.updateValue(digest, forKey: name) == nil else {
                throw JSONMembers.Malformed(offset: range.lowerBound, expected: "each connector once (\"\(name)\" is there twice)")
            }
            if let earlier, earlier.digests[name] == digest, let same = earlier.connectors[name] {
                read.connectors[name] = same
            } else {
                let decoded: ConnectorSnapshot
                do {
                    decoded = try decoder.decode(ConnectorSnapshot.self, from: Data(text))
                } catch {
                    throw DecodingFailure(connector: name, error: error)
                }
                // A connector that changed takes its earlier strings where they are the same.
                if let before = earlier?.connectors[name]?.info?.config { pool.remember(before) }
                read.connectors[name] = decoded.sharingStrings(in: &pool)
            }
        }
        return read
    }

    struct DecodingFailure: Error, CustomStringConvertible {
        var connector: String
        var error: any Error
        var description: String { "connector \"\(connector)\": \(error)" }
    }
}

extension ConnectorSnapshot {
    /// The same connector, its names, config and workers taken from `pool` where it has them.
    func sharingStrings(in pool: inout StringPool) -> ConnectorSnapshot {
        var shared = self
        if var info {
            info.name = pool.share(info.name)
            info.config = pool.share(info.config)
            for index in info.tasks.indices { info.tasks[index].connector = pool.share(info.tasks[index].connector) }
            shared.info = info
        }
        if var status {
            status.name = pool.share(status.name)
            status.connector.workerID = status.connector.workerID.map { pool.share($0) }
            for index in status.tasks.indices { status.tasks[index].workerID = status.tasks[index].workerID.map { pool.share($0) } }
            shared.status = status
        }
        return shared
    }
}
