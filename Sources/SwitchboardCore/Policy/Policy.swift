import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Platform policy from the `policy:` section of `switchboard.yaml`.
public struct Policy: Sendable, Equatable {
    /// Which connectors a key rule or default applies to.
    public enum Scope: String, Sendable, CaseIterable {
        case all, source, sink

        func includes(_ connector: ConnectorDefinition) -> Bool {
            switch self {
            case .all: return true
            case .sink: return connector.isSink
            case .source: return !connector.isSink
            }
        }
    }

    /// A key (a glob such as `producer.override.*`) that must or must not be set.
    public struct KeyRule: Sendable, Equatable {
        public var key: String
        public var appliesTo: Scope
        /// Why, shown in the violation.
        public var reason: String?
        public init(key: String, appliesTo: Scope = .all, reason: String? = nil) {
            self.key = key
            self.appliesTo = appliesTo
            self.reason = reason
        }
    }

    /// A value the platform sets when the connector does not: `{team}`, `{name}` (without prefix),
    /// `{connector}` (with prefix) and `{cluster}` are replaced.
    public struct DefaultValue: Sendable, Equatable {
        public var key: String
        public var value: String
        public var appliesTo: Scope
        public init(key: String, value: String, appliesTo: Scope = .all) {
            self.key = key
            self.value = value
            self.appliesTo = appliesTo
        }
    }

    /// Keys whose values are secrets (matched case-insensitively against the whole key).
    public var secretKeyPattern: String
    /// Config providers a secret reference may use (`file`, `env`, ...); empty allows any.
    public var secretProviders: [String]
    public var maxTasks: Int
    /// Connector classes allowed on every cluster that does not list its own; nil allows any.
    public var allowedClasses: [String]?
    public var requiredKeys: [KeyRule]
    public var forbiddenKeys: [KeyRule]
    public var defaults: [DefaultValue]
    /// Keys Connect adds to a stored config by itself; a plan never shows them as drift.
    public var ignoredLiveKeys: [String]

    public static let defaultSecretKeyPattern = "(?i).*(password|passwd|secret|token|credential|api[._-]?key|private[._-]?key|sasl\\.jaas\\.config).*"

    public init(
        secretKeyPattern: String = Policy.defaultSecretKeyPattern,
        secretProviders: [String] = [],
        maxTasks: Int = 16,
        allowedClasses: [String]? = nil,
        requiredKeys: [KeyRule] = [],
        forbiddenKeys: [KeyRule] = [],
        defaults: [DefaultValue] = [],
        ignoredLiveKeys: [String] = ["name"]
    ) {
        self.secretKeyPattern = secretKeyPattern
        self.secretProviders = secretProviders
        self.maxTasks = maxTasks
        self.allowedClasses = allowedClasses
        self.requiredKeys = requiredKeys
        self.forbiddenKeys = forbiddenKeys
        self.defaults = defaults
        self.ignoredLiveKeys = ignoredLiveKeys
    }

    /// The config Switchboard sends to Connect: the connector's own config, the platform's
    /// defaults for keys it does not set, and `connector.class` and `tasks.max` from their fields.
    public func effectiveConfig(for connector: ConnectorDefinition) -> [String: String] {
        var config = connector.config
        for entry in defaults where entry.appliesTo.includes(connector) && config[entry.key] == nil {
            config[entry.key] = Self.render(entry.value, for: connector)
        }
        config["connector.class"] = connector.connectorClass
        config["tasks.max"] = String(connector.tasks)
        return config
    }

    static func render(_ template: String, for connector: ConnectorDefinition) -> String {
        template
            .replacingOccurrences(of: "{team}", with: connector.team)
            .replacingOccurrences(of: "{name}", with: connector.name)
            .replacingOccurrences(of: "{connector}", with: connector.fullName)
            .replacingOccurrences(of: "{cluster}", with: connector.cluster)
    }

    /// Whether a glob (`*` and `?`) matches a key.
    static func glob(_ pattern: String, matches key: String) -> Bool {
        fnmatch(pattern, key, 0) == 0
    }
}

/// Decides which keys hold secrets and masks their values; compiled once per use.
public struct SecretMatcher: @unchecked Sendable {
    // NSRegularExpression is immutable once built and safe to share between threads.
    private let expression: NSRegularExpression

    public init(pattern: String) throws {
        expression = try NSRegularExpression(pattern: "^(?:\(pattern))$")
    }

    public init(policy: Policy) {
        // The pattern is checked when the catalog is loaded; fall back to the default if it is bad.
        expression = (try? NSRegularExpression(pattern: "^(?:\(policy.secretKeyPattern))$"))
            ?? (try! NSRegularExpression(pattern: "^(?:\(Policy.defaultSecretKeyPattern))$"))
    }

    public func isSecret(_ key: String) -> Bool {
        expression.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)) != nil
    }

    /// What to show instead of a secret value.
    public static let mask = "(secret)"

    /// The value to show for a key: masked when the key holds secrets.
    public func display(_ key: String, _ value: String) -> String {
        isSecret(key) ? Self.mask : value
    }

    /// A copy of `config` with every secret value masked.
    public func masked(_ config: [String: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: config.map { ($0.key, display($0.key, $0.value)) })
    }

    /// `text` with the value of every secret key of `config` replaced by the mask (a message from
    /// Connect can quote a value).
    public func scrub(_ text: String, config: [String: String]) -> String {
        Self.scrub(text, values: secretValues(of: config))
    }

    /// The values of a config's secret keys.
    public func secretValues(of config: [String: String]) -> [String] {
        config.filter { isSecret($0.key) }.map(\.value)
    }

    /// `text` with each of `values` (of 3 characters or more) replaced by the mask, longest first.
    public static func scrub(_ text: String, values: [String]) -> String {
        Set(values).filter { $0.count >= 3 }.sorted { $0.count > $1.count }
            .reduce(text) { $0.replacingOccurrences(of: $1, with: mask) }
    }

    /// Whether a value is a Connect config-provider reference as a whole: `${provider:[path:]key}`.
    public static func isReference(_ value: String) -> Bool {
        provider(ofReference: value) != nil
    }

    /// The provider name of a reference (`file` of `${file:/x.properties:pw}`), or nil.
    public static func provider(ofReference value: String) -> String? {
        guard value.hasPrefix("${"), value.hasSuffix("}"), !value.dropFirst(2).dropLast().contains("}") else { return nil }
        let body = value.dropFirst(2).dropLast()
        guard let colon = body.firstIndex(of: ":"), colon != body.startIndex, body.index(after: colon) != body.endIndex else { return nil }
        let provider = body[..<colon]
        guard provider.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else { return nil }
        return String(provider)
    }
}
