import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The elements of an SVG document, parsed as XML (a parse error fails the test).
public struct SVGElements {
    public struct Element: Sendable {
        public var name: String
        public var attributes: [String: String]
    }

    public var root: String?
    public var elements: [Element] = []
    public var text = ""

    public init(_ markup: String) throws {
        final class Delegate: NSObject, XMLParserDelegate {
            var elements: [Element] = []
            var text = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                elements.append(Element(name: name, attributes: attributes))
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        }
        let parser = XMLParser(data: Data(markup.utf8))
        let delegate = Delegate()
        parser.delegate = delegate
        guard parser.parse() else { throw SVGError(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") in \(markup.prefix(300))") }
        root = delegate.elements.first?.name
        elements = delegate.elements
        text = delegate.text
    }
}

public struct SVGError: Error, CustomStringConvertible {
    public var description: String
}

extension SVGElements {
    /// Every `<svg>...</svg>` of an HTML page, each parsed.
    public static func all(in page: String) throws -> [SVGElements] {
        var result: [SVGElements] = []
        var rest = page[...]
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            result.append(try SVGElements(String(rest[start.lowerBound..<end.upperBound])))
            rest = rest[end.upperBound...]
        }
        return result
    }
}
