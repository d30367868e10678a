import Foundation
import Yams

/// The one writer of rendered YAML (Kubernetes manifests, Prometheus rules, Alertmanager routes,
/// JMX exporter rules). Documents are Yams nodes (mapping literals keep their order); the writer
/// quotes so that a reader gets back exactly the types meant: a string that plain YAML would read
/// as a number, boolean or null ("8083", "true", "~") is quoted, and text with line breaks becomes
/// a literal block. Nobody builds YAML from string lines.
public enum YAMLWriter {
    /// One document, after `header` written as `#` comment lines.
    public static func document(_ node: Node, header: [String] = []) throws -> String {
        header.map { "# \($0)\n" }.joined() + (try serialize(node: normalized(node), indent: 2, width: -1))
    }

    /// Several documents in one file, separated by `---`.
    public static func documents(_ nodes: [Node]) throws -> String {
        try nodes.map { try document($0) }.joined(separator: "---\n")
    }

    /// A string scalar, whatever its content.
    public static func text(_ value: String) -> Node {
        normalized(Node(value))
    }

    /// An integer scalar.
    public static func number(_ value: Int) -> Node {
        Node(String(value), Tag(.int))
    }

    /// A sequence of strings.
    public static func texts(_ values: [String]) -> Node {
        .sequence(Node.Sequence(values.map(text)))
    }

    /// A mapping of strings (labels, ConfigMap data), sorted by key for stable output.
    public static func strings(_ values: [String: String]) -> Node {
        .mapping(Node.Mapping(values.sorted { $0.key < $1.key }.map { (Node($0.key), text($0.value)) }))
    }

    /// A mapping from ordered pairs, for documents built in a loop.
    public static func mapping(_ pairs: [(String, Node)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (Node($0.0), $0.1) }))
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

// Booleans in rendered documents read as `true`/`false` literals, like integers do in Yams.
extension Node: @retroactive ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self.init(String(value), Tag(.bool))
    }
}
