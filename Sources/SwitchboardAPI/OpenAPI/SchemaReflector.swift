import Foundation

/// A type of the API with a schema of its own under `#/components/schemas`, and descriptions
/// of its fields for the document.
public protocol APIShape: Codable {
    /// The name under `#/components/schemas` (the type's name unless it says otherwise).
    static var schemaName: String { get }
    /// A sentence per field, where the name alone does not say enough.
    static var fieldDescriptions: [String: String] { get }
}

extension APIShape {
    public static var schemaName: String { String(describing: Self.self) }
    public static var fieldDescriptions: [String: String] { [:] }
}

/// A type whose schema is given rather than derived: text enums, dates, maps, and types with
/// hand-written coding. `placeholder` is a value the reflector hands to the type that holds it.
public protocol CustomSchema {
    static func schema(_ reflector: SchemaReflector) throws -> Schema
    static var placeholder: Self { get }
}

/// A text enum: its schema lists its cases.
public protocol SchemaEnum: CustomSchema, CaseIterable, RawRepresentable where RawValue == String {}

extension SchemaEnum {
    public static func schema(_ reflector: SchemaReflector) throws -> Schema { .oneOf(allCases.map(\.rawValue)) }
    public static var placeholder: Self { allCases.first! }
}

extension Date: CustomSchema {
    public static func schema(_ reflector: SchemaReflector) throws -> Schema { .dateTime }
    public static var placeholder: Date { Date(timeIntervalSince1970: 0) }
}

extension Dictionary: CustomSchema where Key == String, Value: Decodable {
    public static func schema(_ reflector: SchemaReflector) throws -> Schema { .map(try reflector.schema(for: Value.self)) }
    public static var placeholder: Self { [:] }
}

extension Array: CustomSchema where Element: Decodable {
    public static func schema(_ reflector: SchemaReflector) throws -> Schema { .array(try reflector.schema(for: Element.self)) }
    public static var placeholder: Self { [] }
}

/// Derives the JSON Schema of a `Decodable` type from the type itself, so that the OpenAPI
/// document cannot drift from the values the server encodes and the CLI decodes.
///
/// It decodes a stand-in value with a decoder that records what the type asks for: a key asked
/// with `decode` is required, with `decodeIfPresent` optional (synthesized coding encodes
/// exactly those keys, and leaves out nil ones). Types that ask for something else (a text
/// enum, a date, a map, hand-written coding) say their schema through ``CustomSchema``; one that
/// does not is an error naming it, never a guess. ``APIShape`` types become named components.
///
/// Written here because no listed package derives a schema from Codable types (OpenAPIKit
/// models documents; its reflection is a package of its own).
public final class SchemaReflector {
    /// The named schemas met so far.
    public private(set) var components: [String: Schema] = [:]
    private var placeholders: [String: Any] = [:]
    private var depth = 0

    public init() {}

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        /// The types that hold the one that failed, outermost first.
        public var within: [String] = []

        init(description: String) {
            message = description
        }

        public var description: String {
            within.isEmpty ? message : "\(message) (in \(within.joined(separator: " > ")))"
        }
    }

    /// The schema of `type`: a reference for an ``APIShape``, else inline.
    public func schema<T: Decodable>(for type: T.Type) throws -> Schema {
        try reflect(type).schema
    }

    func reflect<T: Decodable>(_ type: T.Type) throws -> (schema: Schema, value: T) {
        if let custom = type as? any CustomSchema.Type {
            let schema = try custom.schema(self)
            let value = custom.placeholder as! T  // the placeholder of T is a T
            guard let shape = type as? any APIShape.Type else { return (schema, value) }
            components[shape.schemaName] = schema
            return (.ref(shape.schemaName), value)
        }
        if let primitive = Self.primitive(type) { return primitive }
        let shape = type as? any APIShape.Type
        if let shape, components[shape.schemaName] != nil, let value = placeholders[shape.schemaName] as? T {
            return (.ref(shape.schemaName), value)
        }
        depth += 1
        defer { depth -= 1 }
        guard depth < 24 else { throw Failure(description: "\(type) nests too deeply to describe (a recursive type?)") }
        let node = Node()
        let value: T
        do {
            value = try T(from: ReflectingDecoder(reflector: self, node: node))
        } catch var error as Failure {
            error.within.insert(String(describing: type), at: 0)
            throw error
        } catch {
            throw Failure(description: "cannot describe \(type): \(error); give it a schema (CustomSchema or SchemaEnum)")
        }
        let schema = node.schema(descriptions: shape?.fieldDescriptions ?? [:])
        guard let shape else { return (schema, value) }
        components[shape.schemaName] = schema
        placeholders[shape.schemaName] = value
        return (.ref(shape.schemaName), value)
    }

    static func primitive<T>(_ type: T.Type) -> (schema: Schema, value: T)? {
        switch type {
        case is String.Type: (.string, "" as! T)
        case is Bool.Type: (.boolean, false as! T)
        case is Int.Type: (.integer, 0 as! T)
        case is Int64.Type: (.integer, Int64(0) as! T)
        case is Int8.Type: (.integer, Int8(0) as! T)
        case is Int16.Type: (.integer, Int16(0) as! T)
        case is Int32.Type: (.integer, Int32(0) as! T)
        case is UInt.Type: (.integer, UInt(0) as! T)
        case is UInt8.Type: (.integer, UInt8(0) as! T)
        case is UInt16.Type: (.integer, UInt16(0) as! T)
        case is UInt32.Type: (.integer, UInt32(0) as! T)
        case is UInt64.Type: (.integer, UInt64(0) as! T)
        case is Double.Type: (.number, 0.0 as! T)
        case is Float.Type: (.number, Float(0) as! T)
        default: nil
        }
    }

    /// What one value turned out to be, as its type decoded it.
    final class Node {
        var properties: [(key: String, schema: Schema, required: Bool)] = []
        var single: Schema?

        func schema(descriptions: [String: String]) -> Schema {
            if let single { return single }
            var seen = Set<String>()
            let unique = properties.filter { seen.insert($0.key).inserted }
            return Schema(type: "object", required: unique.filter(\.required).map(\.key).nilIfEmpty,
                          properties: Dictionary(uniqueKeysWithValues: unique.map { ($0.key, $0.schema.described(descriptions[$0.key])) }),
                          additional: Schema.Additional.none)
        }
    }
}

extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}

/// The decoder behind ``SchemaReflector``: answers every request with a stand-in and records it.
struct ReflectingDecoder: Decoder {
    let reflector: SchemaReflector
    let node: SchemaReflector.Node
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedReflection<Key>(reflector: reflector, node: node, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw SchemaReflector.Failure(description: "\(codingPath.map(\.stringValue).joined(separator: ".")): a list decoded by hand; give its type a CustomSchema")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleReflection(reflector: reflector, node: node, codingPath: codingPath)
    }
}

struct KeyedReflection<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reflector: SchemaReflector
    let node: SchemaReflector.Node
    let codingPath: [any CodingKey]
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }

    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (schema, value) = try reflector.reflect(type)
        node.properties.append((key.stringValue, schema, true))
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        let (schema, _) = try reflector.reflect(type)
        node.properties.append((key.stringValue, schema, false))
        return nil
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try required(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try required(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try required(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try required(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try required(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try required(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try required(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try required(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try required(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try required(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try required(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try required(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try required(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try required(type, key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }

    private func required<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try decode(type, forKey: key)
    }

    private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        try decodeIfPresent(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw SchemaReflector.Failure(description: "\(key.stringValue): a nested container decoded by hand; give its type a CustomSchema")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw SchemaReflector.Failure(description: "\(key.stringValue): a nested list decoded by hand; give its type a CustomSchema")
    }

    func superDecoder() throws -> any Decoder {
        throw SchemaReflector.Failure(description: "a super decoder; give the type a CustomSchema")
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder() }
}

/// A value that decodes itself from one value (a `RawRepresentable` without ``SchemaEnum``, a
/// type with hand-written coding): recorded as what it asks for.
struct SingleReflection: SingleValueDecodingContainer {
    let reflector: SchemaReflector
    let node: SchemaReflector.Node
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try reflector.reflect(type)
        node.single = schema
        return value
    }

    func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
    func decode(_ type: String.Type) throws -> String { try value(type) }
    func decode(_ type: Double.Type) throws -> Double { try value(type) }
    func decode(_ type: Float.Type) throws -> Float { try value(type) }
    func decode(_ type: Int.Type) throws -> Int { try value(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try value(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try value(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try value(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try value(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try value(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try value(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try value(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try value(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try value(type) }

    private func value<T: Decodable>(_ type: T.Type) throws -> T {
        try decode(type)
    }
}
