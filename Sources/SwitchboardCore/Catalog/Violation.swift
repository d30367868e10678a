/// One thing wrong with the catalog: where, which rule, what, and how to fix it.
public struct Violation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The rules Switchboard checks. The raw value is what users see and can search for.
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case yamlSyntax = "yaml-syntax"
        case unknownKey = "unknown-key"
        case missingKey = "missing-key"
        case invalidValue = "invalid-value"
        case teamName = "team-name"
        case connectorName = "connector-name"
        case teamPrefix = "team-prefix"
        case duplicateName = "duplicate-name"
        case unknownCluster = "unknown-cluster"
        case missingClass = "missing-class"
        case classNotAllowed = "class-not-allowed"
        case pluginMissing = "plugin-missing"
        case tasksCeiling = "tasks-ceiling"
        case secretLiteral = "secret-literal"
        case requiredKey = "required-key"
        case forbiddenKey = "forbidden-key"
        case reservedKey = "reserved-key"
        case serverValidation = "server-validation"
        /// The connector asks for something its cluster's Connect release does not have.
        case connectRelease = "connect-release"
        case unknownEntry = "unknown-entry"
        case unreadableEntry = "unreadable-entry"
        case sameCluster = "same-cluster"
        case promotion
        /// A topic name the connector's config would give Kafka (its own, or a policy default
        /// made from its name) that Kafka refuses: too long, or with a character it forbids.
        case topicName = "topic-name"

        /// The file itself could not be read (not YAML, not text): what else is said of the
        /// catalog may follow from it.
        public var isUnreadableFile: Bool { self == .yamlSyntax || self == .unreadableEntry }
    }

    public var location: SourceLocation
    public var rule: Rule
    public var message: String
    public var fix: String
    /// The connector's name on the cluster, when the violation is about one connector.
    public var connector: String?

    public init(_ rule: Rule, at location: SourceLocation, _ message: String, fix: String, connector: String? = nil) {
        self.rule = rule
        self.location = location
        self.message = message
        self.fix = fix
        self.connector = connector
    }

    public var description: String {
        "\(location): [\(rule.rawValue)] \(message)\n    fix: \(fix)"
    }
}

/// Thrown when the catalog has violations: every one of them, in file and line order.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public var violations: [Violation]

    /// A file that could not be read comes first: what follows may stem from it.
    public init(violations: [Violation]) {
        self.violations = violations.sorted { a, b in
            (a.rule.isUnreadableFile ? 0 : 1, a.location, a.rule.rawValue) < (b.rule.isUnreadableFile ? 0 : 1, b.location, b.rule.rawValue)
        }
    }

    public var description: String {
        let count = violations.count
        return violations.map(\.description).joined(separator: "\n")
            + "\n\(count) problem\(count == 1 ? "" : "s") found; nothing was applied."
    }
}
