import Foundation

/// A connector's offsets as Connect's offsets API (KIP-875, Connect 3.6+) reads and writes them:
/// `{"offsets": [{"partition": {...}, "offset": {...}}]}`. A sink's partition is
/// `{kafka_topic, kafka_partition}` and its offset `{kafka_offset}`; a source's are the
/// connector's own maps. A null offset in an alter request removes that partition's offset.
public struct ConnectorOffsets: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var partition: [String: JSONValue]
        public var offset: [String: JSONValue]?

        public init(partition: [String: JSONValue], offset: [String: JSONValue]?) {
            self.partition = partition
            self.offset = offset
        }

        /// A sink's topic, partition and offset, when this is a sink's entry.
        public var sinkPosition: (topic: String, partition: Int, offset: Int64?)? {
            guard case .string(let topic)? = partition["kafka_topic"], case .number(let number)? = partition["kafka_partition"] else { return nil }
            var offset: Int64?
            if case .number(let value)? = self.offset?["kafka_offset"] { offset = Int64(value) }
            return (topic, Int(number), offset)
        }

        private enum CodingKeys: String, CodingKey { case partition, offset }

        // `offset: null` is written, not left out: Connect reads it as "remove this offset".
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(partition, forKey: .partition)
            try container.encode(offset, forKey: .offset)
        }
    }

    public var offsets: [Entry]

    public init(offsets: [Entry]) {
        self.offsets = offsets
    }

    /// Reads an alter request as a person wrote it; the error says what is wrong and where.
    public static func parse(_ text: String) throws -> ConnectorOffsets {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw OffsetsError("The offsets are not JSON. Write {\"offsets\": [{\"partition\": {...}, \"offset\": {...}}]}, as GET .../offsets returns them.")
        }
        guard case .object(let root) = value, case .array(let items)? = root["offsets"], Set(root.keys) == ["offsets"] else {
            throw OffsetsError("The offsets must be an object with one key, \"offsets\", holding a list (as GET .../offsets returns them).")
        }
        guard !items.isEmpty else { throw OffsetsError("\"offsets\" is empty: nothing to alter (reset removes every offset).") }
        return ConnectorOffsets(offsets: try items.enumerated().map { index, item in
            guard case .object(let entry) = item, Set(entry.keys).isSubset(of: ["partition", "offset"]), case .object(let partition)? = entry["partition"], !partition.isEmpty else {
                throw OffsetsError("offsets[\(index)] must be {\"partition\": {...}, \"offset\": {...} or null}, with a partition that is not empty.")
            }
            switch entry["offset"] {
            case .object(let offset)?: return Entry(partition: partition, offset: offset)
            case .null?, nil: return Entry(partition: partition, offset: nil)
            default: throw OffsetsError("offsets[\(index)].offset must be an object or null.")
            }
        })
    }

    /// The offsets with every string passed through `transform` (the scrubber, before they are shown).
    public func mapStrings(_ transform: (String) -> String) -> ConnectorOffsets {
        ConnectorOffsets(offsets: offsets.map { entry in
            Entry(partition: entry.partition.mapValues { $0.mapStrings(transform) }, offset: entry.offset?.mapValues { $0.mapStrings(transform) })
        })
    }

    /// Whether any string holds `text` (a mask a person left in an edited copy).
    public func contains(_ text: String) -> Bool {
        var found = false
        _ = mapStrings { value in
            if value.contains(text) { found = true }
            return value
        }
        return found
    }

    /// Compact JSON with sorted keys, for the audit log and requests.
    public var json: String { Self.encode(self, pretty: false) }
    /// Indented JSON with sorted keys, for a person to edit.
    public var prettyJSON: String { Self.encode(self, pretty: true) }

    /// One partition or offset map as compact JSON (`null` for none).
    public static func compact(_ value: [String: JSONValue]?) -> String {
        encode(value, pretty: false)
    }

    static func encode<T: Encodable>(_ value: T, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain JSON values cannot fail.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

public struct OffsetsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Any JSON value (the offsets of a source connector are the connector's own maps).
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value with every string (keys stay) passed through `transform`.
    public func mapStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let value): .string(transform(value))
        case .array(let values): .array(values.map { $0.mapStrings(transform) })
        case .object(let values): .object(values.mapValues { $0.mapStrings(transform) })
        case .null, .bool, .number: self
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }  // not a Bool: try the next type
        else if let value = try? container.decode(Double.self) { self = .number(value) }  // not a number: try the next type
        else if let value = try? container.decode(String.self) { self = .string(value) }  // not a string: try the next type
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }  // not an array: try the next type
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Offsets are integers: write 42, not 42.0.
            if value.rounded() == value, abs(value) < 9.0e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
