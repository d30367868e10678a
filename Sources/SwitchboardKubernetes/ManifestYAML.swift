import Foundation
import Yams

/// Kubernetes objects written as Yams nodes (mapping literals keep their order), serialized so
/// that the API server reads back exactly the types meant: a string that plain YAML would read as
/// a number or a boolean ("8083", "true") is quoted, and text with line breaks becomes a literal
/// block.
enum ManifestYAML {
    /// One object as a YAML document.
    static func document(_ object: Node) throws -> String {
        try serialize(node: normalized(object), indent: 2, width: -1)
    }

    /// Several objects in one file, separated by `---`.
    static func documents(_ objects: [Node]) throws -> String {
        try objects.map(document).joined(separator: "---\n")
    }

    /// A string scalar, whatever its content.
    static func text(_ value: String) -> Node {
        normalized(Node(value))
    }

    /// A mapping of strings (labels, ConfigMap data), sorted by key for stable output.
    static func strings(_ values: [String: String]) -> Node {
        .mapping(Node.Mapping(values.sorted { $0.key < $1.key }.map { (Node($0.key), text($0.value)) }))
    }

    static func normalized(_ node: Node) -> Node {
        switch node {
        case .scalar(let scalar) where scalar.tag.rawValue == Tag.Name.implicit.rawValue:
            if scalar.string.contains("\n") {
                return Node(scalar.string, Tag(.implicit), .literal)
            }
            // Quoted when a plain scalar with this text would read as a number, boolean or null.
            if Resolver.default.resolveTag(of: node) == .str {
                return node
            }
            return Node(scalar.string, Tag(.implicit), .doubleQuoted)
        case .scalar, .alias:
            return node
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(normalized), sequence.tag, sequence.style))
        case .mapping(let mapping):
            return .mapping(Node.Mapping(mapping.map { (normalized($0.key), normalized($0.value)) }, mapping.tag, mapping.style))
        }
    }
}

extension ManifestYAML {
    static func number(_ value: Int) -> Node {
        Node(String(value), Tag(.int))
    }
}

// Booleans in manifests read as `true`/`false` literals, like integers do in Yams.
extension Node: @retroactive ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self.init(String(value), Tag(.bool))
    }
}
