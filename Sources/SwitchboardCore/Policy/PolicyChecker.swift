import Foundation

/// Checks a catalog against its platform policy. Pure: reads nothing but the catalog value.
///
/// Rules: team names, connector names and the team prefix, duplicate names per cluster, unknown
/// clusters, allowed connector classes per cluster, the tasks ceiling, secrets as config-provider
/// references, required, forbidden and reserved keys.
public struct PolicyChecker {
    public let catalog: Catalog
    let secrets: SecretMatcher

    public init(catalog: Catalog) {
        self.catalog = catalog
        self.secrets = SecretMatcher(policy: catalog.policy)
    }

    /// Keys Switchboard sets itself from the connector's own fields.
    static let reservedKeys: [String: String] = [
        "name": "the connector's name comes from `name:` and the team",
        "connector.class": "set it with `class:`",
        "tasks.max": "set it with `tasks:`",
        ConnectorDefinition.protectKey: "set it with `protect: true`",
        ConnectorDefinition.pluginVersionKey: "set it with `pluginVersion:`",
    ]

    public func check() -> [Violation] {
        var violations: [Violation] = []
        if let plugins = catalog.plugins {
            for cluster in plugins.clusterSets.keys.sorted() where catalog.cluster(named: cluster) == nil && !catalog.unreadableFiles.contains(CatalogLoader.platformFile) {
                violations.append(Violation(.unknownCluster, at: plugins.location, "plugins.yaml sets plugins for cluster '\(cluster)', which switchboard.yaml does not define.", fix: "Use a cluster name from switchboard.yaml."))
            }
        }
        for team in catalog.teams where !NamePattern.team.matches(team.name) {
            violations.append(Violation(.teamName, at: team.location, "Team name '\(team.name)' must match [a-z][a-z0-9-]* (no underscore: it separates the team prefix of connector names).", fix: "Rename the folder teams/\(team.name)."))
        }
        violations += checkPromotion()
        var seen: [String: ConnectorDefinition] = [:]
        for connector in catalog.connectors {
            violations += check(connector)
            let key = "\(connector.cluster)/\(connector.fullName)"
            if let first = seen[key] {
                violations.append(Violation(.duplicateName, at: connector.location, "Connector \(connector.fullName) on cluster \(connector.cluster) is also defined in \(first.location).", fix: "Give one of them another name, or delete one file.", connector: connector.fullName))
            } else {
                seen[key] = connector
            }
        }
        return violations
    }

    /// With `policy.requirePromotion`: a connector on a cluster of an environment is also defined
    /// on a cluster of the environment just below (so, by induction, on every lower one).
    func checkPromotion() -> [Violation] {
        guard catalog.policy.requirePromotion else { return [] }
        let rank = Dictionary(catalog.environments.enumerated().map { ($1, $0) }) { first, _ in first }
        var violations: [Violation] = []
        let definitions = Dictionary(grouping: catalog.connectors, by: \.fullName)
        for name in definitions.keys.sorted() {
            let connectors = definitions[name]!
            let environments = Set(connectors.compactMap { catalog.cluster(named: $0.cluster)?.environment })
            for connector in connectors {
                guard let environment = catalog.cluster(named: connector.cluster)?.environment, let level = rank[environment], level > 0 else { continue }
                let below = catalog.environments[level - 1]
                guard !environments.contains(below) else { continue }
                violations.append(Violation(.promotion, at: connector.location,
                                            "Connector \(name) is on \(connector.cluster) (environment \(environment)) but on no cluster of \(below), the environment below: policy.requirePromotion wants it there first.",
                                            fix: "Add a cluster of \(below) under `clusters:` of the connector, and promote to \(environment) once it runs there.", connector: name))
            }
        }
        return violations
    }

    /// Every rule on one connector: its name and team, where it runs, and its config keys.
    func check(_ connector: ConnectorDefinition) -> [Violation] {
        var found = Found(connector: connector.fullName)
        checkName(connector, &found)
        checkPlacement(connector, &found)
        checkKeys(connector, &found)
        checkTopics(connector, &found)
        return found.violations
    }

    /// The violations of one connector, each naming it.
    struct Found {
        let connector: String
        var violations: [Violation] = []

        mutating func add(_ rule: Violation.Rule, _ location: SourceLocation, _ message: String, _ fix: String) {
            violations.append(Violation(rule, at: location, message, fix: fix, connector: connector))
        }
    }

    /// Its team exists and its name carries no other team's prefix.
    func checkName(_ connector: ConnectorDefinition, _ found: inout Found) {
        let name = connector.fullName
        func add(_ rule: Violation.Rule, _ location: SourceLocation, _ message: String, _ fix: String) { found.add(rule, location, message, fix) }
        if catalog.team(named: connector.team) == nil, !catalog.unreadableFiles.contains("teams/\(connector.team)/team.yaml") {
            add(.teamPrefix, connector.location, "Connector \(name) is in teams/\(connector.team), which is not a known team (no team.yaml).", "Create teams/\(connector.team)/team.yaml or move the file to its team's folder.")
        }
        if connector.name.contains("_") {
            let prefix = ConnectorDefinition.teamPrefix(of: connector.name) ?? ""
            add(.teamPrefix, connector.location, "Connector name '\(connector.name)' carries the prefix '\(prefix)_', but it belongs to team \(connector.team).", "Write the name without any prefix; Switchboard names it \(connector.team)_<name> on the cluster.")
        } else if !NamePattern.connector.matches(connector.name) {
            add(.connectorName, connector.location, "Connector name '\(connector.name)' must match [a-z0-9][a-z0-9.-]*.", "Use lower-case letters, digits, dots and dashes.")
        }
    }

    /// Its cluster exists, allows its class and has the plugin; its task count is allowed.
    func checkPlacement(_ connector: ConnectorDefinition, _ found: inout Found) {
        let name = connector.fullName
        func add(_ rule: Violation.Rule, _ location: SourceLocation, _ message: String, _ fix: String) { found.add(rule, location, message, fix) }
        let cluster = catalog.cluster(named: connector.cluster)
        if cluster == nil, !catalog.unreadableFiles.contains(CatalogLoader.platformFile) {
            let known = catalog.clusters.map(\.name).joined(separator: ", ")
            add(.unknownCluster, connector.location, "Connector \(name) names cluster '\(connector.cluster)', which switchboard.yaml does not define.", "Use one of: \(known.isEmpty ? "(none defined)" : known).")
        }
        if let allowed = cluster?.allowedClasses ?? catalog.policy.allowedClasses, !allowed.contains(connector.connectorClass) {
            add(.classNotAllowed, connector.location, "Class \(connector.connectorClass) is not allowed on cluster \(connector.cluster).", "Use an approved class (\(allowed.joined(separator: ", "))) or ask the platform team to approve it.")
        }
        if connector.connectorClass.trimmingCharacters(in: .whitespaces).isEmpty {
            add(.missingClass, connector.location, "Connector \(name) has an empty class.", "Write the connector's Java class in `class:`.")
        }
        if let plugins = catalog.plugins, cluster != nil {
            checkPlugin(connector, plugins, &found)
        }
        if connector.tasks > catalog.policy.maxTasks {
            add(.tasksCeiling, connector.location, "Connector \(name) asks for \(connector.tasks) tasks; the platform allows at most \(catalog.policy.maxTasks).", "Set `tasks:` to \(catalog.policy.maxTasks) or less.")
        }
    }

    /// Its class is in its cluster's plugin set of plugins.yaml, in the version it pins if it pins one.
    func checkPlugin(_ connector: ConnectorDefinition, _ plugins: PluginManifest, _ found: inout Found) {
        let className = connector.connectorClass
        guard !plugins.builtinClasses.contains(className) || connector.pluginVersion != nil else { return }
        let installed = plugins.artifacts(for: connector.cluster).filter { $0.classes.contains(className) }
        guard !installed.isEmpty || plugins.builtinClasses.contains(className) else {
            let providers = plugins.artifacts.filter { $0.classes.contains(className) }.map(\.name)
            let fix = providers.isEmpty
                ? "Add an artifact that provides \(className) to plugins.yaml and to cluster \(connector.cluster)'s set."
                : "Add \(providers.joined(separator: " or ")) to cluster \(connector.cluster)'s set in plugins.yaml."
            found.add(.pluginMissing, connector.location, "Class \(className) is not in cluster \(connector.cluster)'s plugin set, so its workers cannot load it.", fix)
            return
        }
        // A pinned version (not a range) of a plugin the set installs must be one it installs (the
        // image's own plugins have the image's version: Connect's validation checks those).
        guard let version = connector.pluginVersion, !installed.isEmpty, !version.contains(where: { "[](),".contains($0) }),
              !installed.contains(where: { $0.version == version }) else { return }
        let versions = installed.map(\.version)
        let others = plugins.artifacts.filter { $0.classes.contains(className) && $0.version == version }.map(\.name)
        let fix = others.isEmpty
            ? "Add an artifact of \(className) \(version) to plugins.yaml and to cluster \(connector.cluster)'s set, or pin one it has (\(versions.joined(separator: ", ")))."
            : "Add \(others.joined(separator: " or ")) to cluster \(connector.cluster)'s set in plugins.yaml."
        found.add(.pluginMissing, connector.location, "Connector \(connector.fullName) pins \(className) \(version), which cluster \(connector.cluster)'s plugin set does not install (it has \(versions.joined(separator: ", "))).", fix)
    }

    /// The longest topic name Kafka accepts.
    public static let topicNameLimit = 249

    /// Whether a config key names a topic (or topics, or a prefix of derived topic names):
    /// `topic`, `topics`, `*.topic`, `*.topic.name`, `topic.prefix`. Not `topics.regex`.
    static func namesTopics(_ key: String) -> Bool {
        key == "topic" || key == "topics" || key == "topic.prefix" || key.hasSuffix(".topic") || key.hasSuffix(".topic.name")
    }

    /// What is wrong with a topic name for Kafka, or nil.
    static func topicProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "is '\(name)', which Kafka reserves" }
        if name.count > topicNameLimit { return "is \(name.count) characters long; Kafka allows at most \(topicNameLimit)" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let bad = Set(name.filter { !allowed.contains($0) })
        if !bad.isEmpty { return "has \(bad.sorted().map { "'\($0)'" }.joined(separator: ", ")), which Kafka forbids (letters, digits, '.', '_' and '-' only)" }
        return nil
    }

    /// The topic names its config gives Kafka, its own and those the policy's defaults make
    /// from its name (a dead-letter queue `dlq.{team}.{name}`): Kafka would refuse them only
    /// when the connector runs (a task fails, or every record goes nowhere). A value with a
    /// config-provider reference or a `${...}` template is not known before it runs.
    func checkTopics(_ connector: ConnectorDefinition, _ found: inout Found) {
        let effective = catalog.policy.effectiveConfig(for: connector)
        for key in effective.keys.sorted() where Self.namesTopics(key) {
            let value = effective[key]!
            guard !value.contains("${") else { continue }
            let names = key == "topics" ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [value]
            for name in names {
                guard let problem = Self.topicProblem(name) else { continue }
                let shown = name.count > 60 ? "\(name.prefix(60))…" : name
                if connector.config[key] == nil, !NamePattern.connector.matches(connector.name) {
                    continue  // made from a name that is wrong itself: that is said once, by checkName
                }
                if connector.config[key] != nil {
                    found.add(.topicName, connector.location(ofKey: key), "'\(key)' names topic '\(shown)', which \(problem).", "Use a topic name of at most \(Self.topicNameLimit) letters, digits, '.', '_' or '-'.")
                } else {
                    let template = catalog.policy.defaults.first { $0.key == key && $0.appliesTo.includes(connector) }?.value ?? ""
                    let fix = name.count > Self.topicNameLimit
                        ? "Shorten the connector's name by at least \(name.count - Self.topicNameLimit) characters, or set '\(key)' in its config."
                        : "Set '\(key)' in its config, or ask the platform team to change the default."
                    found.add(.topicName, connector.location, "The platform's default for '\(key)' ('\(template)') makes the topic '\(shown)' for connector \(connector.fullName), which \(problem).", fix)
                }
            }
        }
    }

    /// Reserved, secret, forbidden and required config keys.
    func checkKeys(_ connector: ConnectorDefinition, _ found: inout Found) {
        let name = connector.fullName
        func add(_ rule: Violation.Rule, _ location: SourceLocation, _ message: String, _ fix: String) { found.add(rule, location, message, fix) }
        for key in connector.config.keys.sorted() {
            let value = connector.config[key]!
            let location = connector.location(ofKey: key)
            if let why = Self.reservedKeys[key] {
                add(.reservedKey, location, "'\(key)' is set by Switchboard.", "Remove it from config: \(why).")
            }
            if secrets.isSecret(key) {
                if let provider = SecretMatcher.provider(ofReference: value) {
                    let providers = catalog.policy.secretProviders
                    if !providers.isEmpty, !providers.contains(provider) {
                        add(.secretLiteral, location, "'\(key)' uses config provider '\(provider)', which the platform does not allow.", "Use one of: \(providers.joined(separator: ", ")).")
                    }
                } else if !value.isEmpty {
                    // Never repeat the value: it is a secret.
                    add(.secretLiteral, location, "'\(key)' holds a literal value; secrets must be config-provider references.", "Write a reference such as ${file:/etc/kafka-connect/secrets/\(connector.team).properties:\(key)} and put the value in that file.")
                }
            } else if Scrubber.holdsCredential(value) {
                // A JDBC URL with user:password@ or ?password=: never repeat the value.
                add(.secretLiteral, location, "'\(key)' holds a credential inside its value (user:password@ in a URL, or a password parameter).",
                    "Take the credential out of the value; set it in its own key (such as connection.password) as a reference like ${file:/etc/kafka-connect/secrets/\(connector.team).properties:password}.")
            }
            for rule in catalog.policy.forbiddenKeys where rule.appliesTo.includes(connector) && Policy.glob(rule.key, matches: key) {
                add(.forbiddenKey, location, "'\(key)' is forbidden by platform policy\(rule.reason.map { ": \($0)" } ?? ".")", "Remove '\(key)' from config.")
            }
        }
        let effective = catalog.policy.effectiveConfig(for: connector)
        for rule in catalog.policy.requiredKeys where rule.appliesTo.includes(connector) {
            if !effective.keys.contains(where: { Policy.glob(rule.key, matches: $0) }) {
                add(.requiredKey, connector.location, "Connector \(name) must set '\(rule.key)'\(rule.reason.map { ": \($0)" } ?? ".")", "Add `\(rule.key): <value>` under config.")
            }
        }
    }
}
