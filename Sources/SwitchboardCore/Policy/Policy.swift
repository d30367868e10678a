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
    /// The most connectors one apply deletes; more needs `apply --allow-mass-delete`.
    public var maxDeletesPerApply: Int
    /// A connector on a cluster of one environment must also be defined on a cluster of the
    /// environment below it (`environments:` in switchboard.yaml orders them).
    public var requirePromotion = false

    /// What a change that stops or changes the input of another team's connector needs
    /// (`policy.impact.crossTeam`): `warn` (the plan says so) or `require-approval` (apply needs
    /// `--approve-impact team:<name>` for every affected team; GitOps holds the change until an
    /// owner of each approves it).
    public enum CrossTeamImpact: String, Sendable, CaseIterable {
        case warn
        case requireApproval = "require-approval"
    }
    public var crossTeamImpact: CrossTeamImpact = .warn

    /// A few deletes are routine (a connector retired); more in one run is more often a
    /// mistake (a folder renamed, a branch checked out half-way) than a plan.
    public static let defaultMaxDeletesPerApply = 5

    public static let defaultSecretKeyPattern = "(?i).*(password|passwd|secret|token|credential|api[._-]?key|private[._-]?key|sasl\\.jaas\\.config).*"

    public init(
        secretKeyPattern: String = Policy.defaultSecretKeyPattern,
        secretProviders: [String] = [],
        maxTasks: Int = 16,
        allowedClasses: [String]? = nil,
        requiredKeys: [KeyRule] = [],
        forbiddenKeys: [KeyRule] = [],
        defaults: [DefaultValue] = [],
        ignoredLiveKeys: [String] = ["name"],
        maxDeletesPerApply: Int = Policy.defaultMaxDeletesPerApply
    ) {
        self.secretKeyPattern = secretKeyPattern
        self.secretProviders = secretProviders
        self.maxTasks = maxTasks
        self.allowedClasses = allowedClasses
        self.requiredKeys = requiredKeys
        self.forbiddenKeys = forbiddenKeys
        self.defaults = defaults
        self.ignoredLiveKeys = ignoredLiveKeys
        self.maxDeletesPerApply = maxDeletesPerApply
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
        if connector.protect {
            config[ConnectorDefinition.protectKey] = "true"
        }
        if let version = connector.pluginVersion {
            config[ConnectorDefinition.pluginVersionKey] = version
        }
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
