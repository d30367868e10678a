/// A JSON Schema, as much of it as the OpenAPI document uses. Object schemas derived from the
/// API's types are closed (`additionalProperties: false`): an answer with a field the document
/// does not name fails the contract test.
public final class Schema: Encodable, Sendable {
    public enum Additional: Sendable {
        /// No other properties (`additionalProperties: false`).
        case none
        /// Any key, each value of this schema (a map such as a config).
        case values(Schema)
    }

    public let type: String?
    public let format: String?
    public let description: String?
    public let reference: String?
    public let required: [String]?
    public let properties: [String: Schema]?
    public let items: Schema?
    public let additional: Additional?
    public let values: [String]?
    public let minimum: Int?
    public let maximum: Int?
    public let defaultValue: Int?

    public init(type: String? = nil, format: String? = nil, description: String? = nil, reference: String? = nil, required: [String]? = nil,
                properties: [String: Schema]? = nil, items: Schema? = nil, additional: Additional? = nil, values: [String]? = nil,
                minimum: Int? = nil, maximum: Int? = nil, defaultValue: Int? = nil) {
        self.type = type
        self.format = format
        self.description = description
        self.reference = reference
        self.required = required
        self.properties = properties
        self.items = items
        self.additional = additional
        self.values = values
        self.minimum = minimum
        self.maximum = maximum
        self.defaultValue = defaultValue
    }

    enum CodingKeys: String, CodingKey {
        case type, format, description, reference = "$ref", required, properties, items, additionalProperties, values = "enum", minimum, maximum, defaultValue = "default"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(format, forKey: .format)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(reference, forKey: .reference)
        try container.encodeIfPresent(required, forKey: .required)
        try container.encodeIfPresent(properties, forKey: .properties)
        try container.encodeIfPresent(items, forKey: .items)
        switch additional {
        case .none?: try container.encode(false, forKey: .additionalProperties)
        case .values(let schema)?: try container.encode(schema, forKey: .additionalProperties)
        case nil: break
        }
        try container.encodeIfPresent(values, forKey: .values)
        try container.encodeIfPresent(minimum, forKey: .minimum)
        try container.encodeIfPresent(maximum, forKey: .maximum)
        try container.encodeIfPresent(defaultValue, forKey: .defaultValue)
    }

    /// The same schema with a description (a property's, which the type's own schema lacks).
    public func described(_ text: String?) -> Schema {
        guard let text else { return self }
        return Schema(type: type, format: format, description: text, reference: reference, required: required, properties: properties, items: items,
                      additional: additional, values: values, minimum: minimum, maximum: maximum, defaultValue: defaultValue)
    }

    public static let string = Schema(type: "string")
    public static let integer = Schema(type: "integer")
    public static let number = Schema(type: "number")
    public static let boolean = Schema(type: "boolean")
    public static let dateTime = Schema(type: "string", format: "date-time")
    public static let strings = Schema.array(.string)
    /// Any JSON object (a map whose values are the connector's own, as a source's offsets).
    public static let anyObject = Schema(type: "object")

    public static func ref(_ name: String) -> Schema { Schema(reference: "#/components/schemas/\(name)") }
    public static func array(_ items: Schema) -> Schema { Schema(type: "array", items: items) }
    public static func oneOf(_ values: [String], description: String? = nil) -> Schema { Schema(type: "string", description: description, values: values) }
    /// An object with exactly these properties.
    public static func object(required: [String] = [], _ properties: [String: Schema]) -> Schema {
        Schema(type: "object", required: required.isEmpty ? nil : required, properties: properties, additional: Additional.none)
    }
    public static func map(_ values: Schema, description: String? = nil) -> Schema {
        Schema(type: "object", description: description, additional: .values(values))
    }
}
