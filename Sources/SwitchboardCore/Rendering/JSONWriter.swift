import Foundation

/// The one writer of JSON: rendered files (the Grafana dashboard), the OpenAPI document, API
/// answers, `--output json` and state files. Values are Codable, never `[String: Any]` or literals,
/// so types and escaping are right by construction. Keys are sorted and dates are ISO 8601
/// everywhere, so the same value reads the same whichever way it leaves.
public enum JSONWriter {
    /// Indented, for people and files (no trailing newline).
    public static func pretty<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try prettyEncoder.encode(value), as: UTF8.self)
    }

    /// On one line, for API answers.
    public static func compact<T: Encodable>(_ value: T) throws -> Data {
        try compactEncoder.encode(value)
    }

    private static let prettyEncoder = encoder([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    private static let compactEncoder = encoder([.sortedKeys, .withoutEscapingSlashes])

    private static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
