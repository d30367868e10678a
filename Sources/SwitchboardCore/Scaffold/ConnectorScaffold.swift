import Foundation

/// A connector file written from what a cluster says of a plugin (`switchboard new connector`,
/// the New connector page): the keys it needs (Connect requires them, rejects a config without
/// them, or the policy requires them) with a placeholder or the value given, secrets as
/// config-provider references (never a value), each key's doc as a comment, the policy's
/// defaults shown as the plan will apply them, and the plugin's other important keys commented out.
public struct ConnectorScaffold: Sendable, Equatable {
    /// One key the plugin defines (from `GET /connector-plugins/{class}/config`).
    public struct Key: Sendable, Equatable {
        public var name: String
        public var type: String
        public var documentation: String?
        public var group: String?
        public var defaultValue: String?
        public var importance: String?
        /// Connect requires it, or rejected a config without it.
        public var needed: Bool

        public init(name: String, type: String, documentation: String? = nil, group: String? = nil, defaultValue: String? = nil, importance: String? = nil, needed: Bool) {
            (self.name, self.type, self.documentation, self.group, self.defaultValue, self.importance, self.needed) = (name, type, documentation, group, defaultValue, importance, needed)
        }
    }

    /// What the file holds for every value left to fill.
    public static let placeholder = "CHANGE-ME"
    /// Keys the catalog file sets itself (name, class, tasks) or Connect's framework adds:
    /// never written as config.
    static let frameworkGroups: Set<String> = ["Common", "Transforms", "Predicates", "Error Handling"]
    static let ownKeys: Set<String> = ["name", "connector.class", "tasks.max"]

    public var team: String
    public var name: String
    public var cluster: String
    public var connectorClass: String
    public var version: String?
    public var sink: Bool
    public var keys: [Key]
    /// Values given (the page's form); secret keys take only references.
    public var values: [String: String]

    public init(team: String, name: String, cluster: String, connectorClass: String, version: String?, sink: Bool, keys: [Key], values: [String: String] = [:]) {
        (self.team, self.name, self.cluster, self.connectorClass, self.version, self.sink, self.keys, self.values) = (team, name, cluster, connectorClass, version, sink, keys, values)
    }

    /// Where the file goes in the catalog.
    public var path: String { "teams/\(team)/connectors/\(name).yaml" }

    /// The keys the file sets: what the plugin needs, the policy's required keys for its kind,
    /// and a sink's `topics` (Connect needs `topics` or `topics.regex`), in the plugin's order.
    public func written(policy: Policy) -> [Key] {
        var chosen = keys.filter { $0.needed && !Self.ownKeys.contains($0.name) }
        var names = Set(chosen.map(\.name))
        for rule in policy.requiredKeys where rule.appliesTo == .all || rule.appliesTo == (sink ? .sink : .source) {
            guard !rule.key.contains("*"), !names.contains(rule.key), !Self.ownKeys.contains(rule.key) else { continue }
            chosen.append(keys.first { $0.name == rule.key } ?? Key(name: rule.key, type: "STRING", documentation: rule.reason.map { "Required by policy: \($0)" } ?? "Required by policy.", needed: true))
            names.insert(rule.key)
        }
        if sink, !names.contains("topics"), !names.contains("topics.regex") {
            chosen.append(keys.first { $0.name == "topics" } ?? Key(name: "topics", type: "LIST", documentation: "The topics to read, comma-separated.", needed: true))
        }
        return chosen
    }

    /// The value a key gets in the file: a reference for a secret, else what was given, else
    /// a placeholder.
    public func value(of key: Key, policy: Policy) -> String {
        if key.type == "PASSWORD" || SecretMatcher(policy: policy).isSecret(key.name) {
            if let given = values[key.name], SecretMatcher.isReference(given) { return given }
            return reference(for: key.name, policy: policy)
        }
        if let given = values[key.name], !given.isEmpty { return given }
        return key.defaultValue.flatMap { $0.isEmpty ? nil : $0 } ?? Self.placeholder
    }

    /// A config-provider reference for a secret key, with the first provider the policy allows.
    public func reference(for key: String, policy: Policy) -> String {
        if policy.secretProviders.first == "env" {
            let variable = "\(team)_\(name)_\(key)".uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
            return "${env:\(String(variable))}"
        }
        return "${file:/etc/kafka-connect/secrets/\(team)/\(name).properties:\(key)}"
    }

    /// The config as the file gives it (what Connect validates).
    public func config(policy: Policy) -> [String: String] {
        Dictionary(uniqueKeysWithValues: written(policy: policy).map { ($0.name, value(of: $0, policy: policy)) })
    }

    /// The file.
    public func yaml(policy: Policy, date: Date = Date()) -> String {
        let written = written(policy: policy)
        var lines = [
            "# Written by `switchboard new connector` from cluster \(cluster)'s definition of",
            "# \(connectorClass)\(version.map { " \($0)" } ?? "") on \(date.formatted(.iso8601.year().month().day())).",
            "# Fill in every \(Self.placeholder), put each secret in the file or variable its reference names, then:",
            "#   switchboard validate --server",
            "name: \(name)",
            "cluster: \(cluster)",
            "class: \(connectorClass)",
            "config:",
        ]
        for key in written {
            lines += comment(key, indent: "  ")
            lines.append("  \(key.name): \(Self.quoted(value(of: key, policy: policy)))")
        }
        let defaults = policy.defaults.filter { $0.appliesTo == .all || $0.appliesTo == (sink ? .sink : .source) }.filter { rule in !written.contains { $0.name == rule.key } }
        if !defaults.isEmpty {
            lines.append("  # Set by the platform's policy when the plan is made (write the key here to override):")
            for rule in defaults {
                let value = rule.value.replacingOccurrences(of: "{team}", with: team).replacingOccurrences(of: "{name}", with: name)
                    .replacingOccurrences(of: "{connector}", with: "\(team)_\(name)").replacingOccurrences(of: "{cluster}", with: cluster)
                lines.append("  #   \(rule.key): \(Self.quoted(value))")
            }
        }
        let optional = keys.filter { !$0.needed && $0.importance == "HIGH" && !Self.ownKeys.contains($0.name) && !Self.frameworkGroups.contains($0.group ?? "") }
            .filter { key in !written.contains { $0.name == key.name } && !defaults.contains { $0.key == key.name } }
        if !optional.isEmpty {
            lines.append("  # Other keys the plugin marks important (uncomment to set):")
            for key in optional {
                lines += comment(key, indent: "  # ")
                lines.append("  # \(key.name): \(Self.quoted(value(of: key, policy: policy)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A key's documentation as comment lines of at most about 100 characters, with its type.
    func comment(_ key: Key, indent: String) -> [String] {
        let doc = (key.documentation ?? "").replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        let secret = key.type == "PASSWORD" ? " A secret: a config-provider reference, never the value." : ""
        let text = (doc.isEmpty ? "" : doc + " ") + "(\(key.type)\(key.defaultValue.flatMap { $0.isEmpty ? nil : ", default \($0)" } ?? ""))" + secret
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if line.count + word.count > 96, !line.isEmpty {
                lines.append("\(indent)# \(line)")
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append("\(indent)# \(line)") }
        return lines
    }

    /// A YAML scalar in double quotes (everything a value can hold survives).
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
