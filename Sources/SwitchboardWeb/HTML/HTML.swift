import Foundation

/// HTML built by string interpolation in which every interpolated text is escaped, and only
/// ``HTML`` values (markup built the same way) are inserted as they are.
///
/// ```swift
/// let row: HTML = "<td>\(connector.name)</td>"   // the name is escaped
/// let page: HTML = "<table>\(rows)</table>"      // rows are HTML: inserted as markup
/// ```
///
/// Connector configs are user data; with this type a page cannot forget to escape them.
/// Written here rather than using a template engine: escaping is then a property of the type
/// that the compiler checks, and rendering 2,000 rows is plain string appends.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var markup: String

    public init(stringLiteral value: String) {
        markup = value
    }

    public init(stringInterpolation: StringInterpolation) {
        markup = stringInterpolation.output
    }

    init(unsafeMarkup markup: String) {
        self.markup = markup
    }

    public var description: String { markup }

    public static let empty = HTML(unsafeMarkup: "")

    public struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) {
            output += literal
        }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) {
            HTML.escape(text, into: &output)
        }

        public mutating func appendInterpolation(_ text: String?) {
            if let text { HTML.escape(text, into: &output) }
        }

        public mutating func appendInterpolation(_ number: Int) {
            output += String(number)
        }

        /// Markup: inserted as it is.
        public mutating func appendInterpolation(_ html: HTML) {
            output += html.markup
        }

        public mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { output += part.markup }
        }
    }

    /// Escapes `&`, `<`, `>`, `"` and `'`, so text is safe in element content and in quoted attributes.
    static func escape(_ text: String, into output: inout String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    public static func escape(_ text: String) -> String {
        var output = ""
        escape(text, into: &output)
        return output
    }

    /// A URL path from segments, each percent-encoded (the result is then escaped where used).
    public static func path(_ segments: String...) -> String {
        "/" + segments.map { $0.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? "" }.joined(separator: "/")
    }

    /// Built once: CharacterSet arithmetic is slow on Linux, and every row of a page links a path.
    private static let segmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))

    /// A query string from pairs with values (empty ones left out).
    public static func query(_ pairs: [(String, String?)]) -> String {
        let items = pairs.compactMap { key, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }
        return items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }
}
