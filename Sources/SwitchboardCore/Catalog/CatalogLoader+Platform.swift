import Foundation

/// What `switchboard.yaml` holds.
struct PlatformSettings {
    var clusters: [ClusterDefinition] = []
    var policy = Policy()
    var admins = Principals()
    var access = AccessSettings()
    var autoRestart = AutoRestartPolicy()
    var alerting = AlertingSettings()
    var kubernetes = KubernetesSettings()
    var gitops = GitOpsSettings()
    var reviewers: [String] = []
    var environments: [String] = []
}

extension CatalogLoader {
    static let platformKeys = ["clusters", "policy", "admins", "access", "autoRestart", "alerting", "kubernetes", "gitops", "reviewers", "environments"]
    static let clusterKeys = ["name", "url", "urls", "auth", "tls", "allowedClasses", "kafka", "kubernetes", "access", "gitops", "environment"]
    static let kubernetesKeys = ["namespace", "connectImage", "jmxExporterAgent", "switchboardImage", "oauth2ProxyImage", "pluginStore", "replicas", "maxReplicas",
                                 "targetCPUUtilization", "cpu", "memory", "heap", "replicationFactor", "prometheusOperator", "workerConfig",
                                 "serverDatabaseSecret", "serverReplicas"]
    static let policyKeys = ["secretKeyPattern", "secretProviders", "maxTasks", "allowedClasses", "requiredKeys", "forbiddenKeys", "defaults", "ignoredLiveKeys", "maxDeletesPerApply", "requirePromotion", "impact"]

    static func readPlatform(_ yaml: YAMLMapping) -> PlatformSettings {
        yaml.rejectUnknownKeys(platformKeys)
        var settings = PlatformSettings()
        if let kubernetes = yaml.mapping("kubernetes", context: "kubernetes settings") {
            settings.kubernetes = readKubernetes(kubernetes, over: settings.kubernetes)
        }
        if let autoRestart = yaml.mapping("autoRestart", context: "autoRestart") {
            settings.autoRestart = readAutoRestart(autoRestart, over: AutoRestartPolicy(), connector: false)
        }
        if let access = yaml.mapping("access", context: "access") {
            settings.access = readAccess(access, over: AccessSettings(), scope: "the platform")
        }
        settings.reviewers = readReviewers(yaml)
        settings.environments = yaml.strings("environments") ?? []
        var named: Set<String> = []
        for environment in settings.environments where !named.insert(environment).inserted {
            yaml.invalid("environments", "Environment '\(environment)' is listed twice in environments.", fix: "List each environment once, lowest (dev, staging) to highest (prod).")
        }
        if let gitops = yaml.mapping("gitops", context: "gitops") {
            settings.gitops = readGitOps(gitops, over: GitOpsSettings(), scope: "the platform")
        }
        if let clusters = yaml.mappings("clusters", context: { index, item in
            "cluster '\(item.string("name") ?? "#\(index + 1)")'"
        }) {
            settings.clusters = clusters.compactMap { readCluster($0, kubernetes: settings.kubernetes, access: settings.access, gitops: settings.gitops) }
        } else if !yaml.has("clusters") {
            yaml.missing("clusters", fix: "Add a `clusters:` list with each Connect cluster's `name` and `url`.")
        }
        var seen: Set<String> = []
        for cluster in settings.clusters where !seen.insert(cluster.name).inserted {
            yaml.log.add(Violation(.duplicateName, at: cluster.location, "Cluster '\(cluster.name)' is defined twice.", fix: "Give each cluster its own name."))
        }
        checkDistinctWorkers(settings.clusters, log: yaml.log)
        for cluster in settings.clusters {
            guard let environment = cluster.environment, !settings.environments.contains(environment) else { continue }
            yaml.log.add(Violation(.invalidValue, at: cluster.location, "Cluster '\(cluster.name)' is in environment '\(environment)', which `environments:` does not list.",
                                   fix: settings.environments.isEmpty ? "Add `environments: [staging, prod]` (lowest first) to switchboard.yaml." : "Use one of \(settings.environments.joined(separator: ", ")), or add it to `environments:`."))
        }
        if let policy = yaml.mapping("policy", context: "policy") {
            settings.policy = readPolicy(policy)
        }
        if settings.policy.requirePromotion && settings.environments.count < 2 {
            yaml.log.add(Violation(.invalidValue, at: yaml.locationOf("policy"), "policy.requirePromotion needs at least two `environments:` to promote between.", fix: "Add `environments: [staging, prod]` and an `environment:` to each cluster."))
        }
        if let alerting = yaml.mapping("alerting", context: "alerting") {
            settings.alerting = readAlerting(alerting)
        }
        if let admins = yaml.mapping("admins", context: "admins") {
            admins.rejectUnknownKeys(["users", "groups"])
            settings.admins = Principals(users: admins.strings("users") ?? [], groups: admins.strings("groups") ?? [])
        }
        return settings
    }

    /// Two catalog clusters that name one worker are one Connect cluster: each would plan to
    /// delete the other's connectors. (Workers in common that only the live status reveals are
    /// caught when the clusters are read.)
    static func checkDistinctWorkers(_ clusters: [ClusterDefinition], log: ViolationLog) {
        var owner: [String: String] = [:]
        for cluster in clusters {
            for address in Set(cluster.urls.compactMap(ClusterDefinition.workerAddress)) {
                if let first = owner[address], first != cluster.name {
                    log.add(Violation(.sameCluster, at: cluster.location, "Clusters '\(first)' and '\(cluster.name)' both name the worker \(address): they are one Connect cluster, and each would delete the other's connectors.",
                                      fix: "Define each Connect cluster once in switchboard.yaml."))
                } else {
                    owner[address] = cluster.name
                }
            }
        }
    }

    /// `access:` over `base`: the platform's over the defaults, a cluster's over the platform's.
    /// A cluster can only restrict: lower what everyone signed in gets, raise what acting needs.
    static func readAccess(_ yaml: YAMLMapping, over base: AccessSettings, scope: String) -> AccessSettings {
        yaml.rejectUnknownKeys(["signedIn", "operate", "offsets"])
        var settings = base
        let isCluster = scope != "the platform"
        func role(_ key: String, allowed: [Role], explain: String) -> Role? {
            guard let text = yaml.string(key) else { return nil }
            guard let role = Role(rawValue: text), allowed.contains(role) else {
                yaml.invalid(key, "access.\(key) of \(scope) must be one of \(allowed.map(\.rawValue).joined(separator: ", ")) (got '\(text)').", fix: explain)
                return nil
            }
            return role
        }
        let signedInChoices = isCluster ? Role.everyone.filter { $0 <= base.signedIn } : Role.everyone
        if let value = role("signedIn", allowed: signedInChoices, explain: isCluster
            ? "A cluster can only lower what every signed-in user may do (the platform gives \(base.signedIn.rawValue))."
            : "Write `signedIn: reader` (everyone reads configs) or `viewer` (states only).") {
            settings.signedIn = value
        }
        let operateChoices = Role.allCases.filter { $0 >= (isCluster ? base.operate : .operator) }
        if let value = role("operate", allowed: operateChoices, explain: "Name the least role that may restart, pause, resume and stop\(isCluster ? "; a cluster can only raise it (the platform needs \(base.operate.rawValue))" : "").") {
            settings.operate = value
        }
        let offsetChoices = Role.allCases.filter { $0 >= (isCluster ? base.offsets : .owner) }
        if let value = role("offsets", allowed: offsetChoices, explain: "Name the least role that may reset and alter offsets\(isCluster ? "; a cluster can only raise it (the platform needs \(base.offsets.rawValue))" : "").") {
            settings.offsets = value
        }
        if settings.offsets < settings.operate {
            yaml.invalid("offsets", "access.offsets of \(scope) (\(settings.offsets.rawValue)) is below access.operate (\(settings.operate.rawValue)): offsets can be changed only while a connector is stopped.",
                         fix: "Set `offsets:` to \(settings.operate.rawValue) or higher.")
        }
        return settings
    }

    /// `gitops:` of switchboard.yaml or of one cluster, over `base` (the platform's for a cluster).
    static func readGitOps(_ yaml: YAMLMapping, over base: GitOpsSettings, scope: String) -> GitOpsSettings {
        yaml.rejectUnknownKeys(["mode", "drift"])
        var settings = base
        if let text = yaml.string("mode") {
            if let mode = GitOpsSettings.Mode(rawValue: text) {
                settings.mode = mode
            } else {
                yaml.invalid("mode", "gitops.mode of \(scope) must be auto or manual (got '\(text)').",
                             fix: "`auto` applies each new commit; `manual` only shows its plan until someone applies it.")
            }
        }
        if let text = yaml.string("drift") {
            if let drift = GitOpsSettings.Drift(rawValue: text) {
                settings.drift = drift
            } else {
                yaml.invalid("drift", "gitops.drift of \(scope) must be correct or report (got '\(text)').",
                             fix: "`correct` restores changes made on the cluster at the next sync; `report` only shows them.")
            }
        }
        if settings.mode == .manual && settings.drift == .correct && yaml.has("drift") {
            yaml.invalid("drift", "gitops.drift of \(scope) is correct, but its mode is manual: a manual cluster is never written by the controller.",
                         fix: "Use `mode: auto` to correct drift, or `drift: report`.")
        }
        return settings
    }

    /// `autoRestart:` of switchboard.yaml (every key) or of a connector (`enabled` and `maxRestarts`).
    static func readAutoRestart(_ yaml: YAMLMapping, over base: AutoRestartPolicy, connector: Bool) -> AutoRestartPolicy {
        yaml.rejectUnknownKeys(connector ? ["enabled", "maxRestarts"] : ["enabled", "maxRestarts", "unit", "healthyAfter"])
        var policy = base
        policy.enabled = yaml.bool("enabled") ?? (connector ? true : base.enabled)
        policy.maxRestarts = yaml.int("maxRestarts", range: 0...100) ?? base.maxRestarts
        for (key, path) in [("unit", \AutoRestartPolicy.unitSeconds), ("healthyAfter", \.healthyAfterSeconds)] {
            guard let text = yaml.string(key) else { continue }
            if let seconds = seconds(of: text), seconds > 0 {
                policy[keyPath: path] = seconds
            } else {
                yaml.invalid(key, "autoRestart.\(key) must be a duration such as 30s, 1m or 1h (got '\(text)').", fix: "Write `\(key): 1m`.")
            }
        }
        return policy
    }

    /// `30s`, `2m`, `1h` in seconds, or nil.
    static func seconds(of text: String) -> Int? {
        guard let unit = text.last, let number = Int(text.dropLast()) else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        default: return nil
        }
    }

    static func readAlerting(_ yaml: YAMLMapping) -> AlertingSettings {
        yaml.rejectUnknownKeys(["defaultReceivers", "smtp", "for", "lagThreshold", "lagFor", "groupWait", "groupInterval", "repeatInterval"])
        var settings = AlertingSettings()
        settings.defaultReceivers = (yaml.mappings("defaultReceivers", context: { index, _ in "default receiver \(index + 1)" }) ?? []).compactMap(readReceiver)
        if let smtp = yaml.mapping("smtp", context: "smtp") {
            smtp.rejectUnknownKeys(["smarthost", "from", "authUsername", "authPasswordFile"])
            if let host = smtp.string("smarthost", required: "Add `smarthost: mail:587`."), let from = smtp.string("from", required: "Add `from: alerts@example.com`.") {
                settings.smtp = .init(smarthost: host, from: from, authUsername: smtp.string("authUsername"), authPasswordFile: smtp.string("authPasswordFile"))
            }
        }
        for (key, path) in [("for", \AlertingSettings.forDuration), ("lagFor", \.lagFor), ("groupWait", \.groupWait), ("groupInterval", \.groupInterval), ("repeatInterval", \.repeatInterval)] {
            guard let value = yaml.string(key) else { continue }
            if value.range(of: "^[0-9]+(ms|s|m|h|d|w|y)$", options: .regularExpression) == nil {
                yaml.invalid(key, "'\(key)' must be a Prometheus duration such as 30s, 2m or 1h (got '\(value)').", fix: "Write `\(key): 2m`.")
            } else {
                settings[keyPath: path] = value
            }
        }
        settings.lagThreshold = yaml.int("lagThreshold", range: 0...Int(Int32.max)) ?? settings.lagThreshold
        return settings
    }

    /// `kubernetes:` settings over `base` (the platform defaults, for a cluster's own section).
    static func readKubernetes(_ yaml: YAMLMapping, over base: KubernetesSettings) -> KubernetesSettings {
        yaml.rejectUnknownKeys(kubernetesKeys)
        var settings = base
        for (key, path) in [("namespace", \KubernetesSettings.namespace), ("connectImage", \.connectImage), ("jmxExporterAgent", \.jmxExporterAgent), ("switchboardImage", \.switchboardImage),
                            ("oauth2ProxyImage", \.oauth2ProxyImage), ("cpu", \.cpu), ("memory", \.memory), ("heap", \.heap)] {
            if let value = yaml.string(key) { settings[keyPath: path] = value }
        }
        if let namespace = yaml.string("namespace"), namespace.range(of: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", options: .regularExpression) == nil {
            yaml.invalid("namespace", "'\(namespace)' is not a Kubernetes namespace name.", fix: "Use lower-case letters, digits and dashes, at most 63 characters.")
        }
        if let heap = yaml.string("heap"), heap.range(of: "^[0-9]+[kmgKMG]$", options: .regularExpression) == nil {
            yaml.invalid("heap", "'heap' must be a JVM size such as 1g or 768m (got '\(heap)').", fix: "Write `heap: 1g`.")
        }
        settings.pluginStore = yaml.string("pluginStore") ?? settings.pluginStore
        settings.serverDatabaseSecret = yaml.string("serverDatabaseSecret") ?? settings.serverDatabaseSecret
        settings.serverReplicas = yaml.int("serverReplicas", range: 1...20) ?? settings.serverReplicas
        if yaml.has("serverReplicas"), settings.serverDatabaseSecret == nil, settings.serverReplicas > 1 {
            yaml.invalid("serverReplicas", "serverReplicas above 1 needs serverDatabaseSecret: replicas share the audit log, tokens and sessions in PostgreSQL.",
                         fix: "Add `serverDatabaseSecret: <a Secret whose key url holds postgres://...>`, or remove serverReplicas.")
        }
        for (key, path, range) in [("replicas", \KubernetesSettings.replicas, 1...1000), ("maxReplicas", \.maxReplicas, 1...1000),
                                   ("targetCPUUtilization", \.targetCPUUtilization, 1...100), ("replicationFactor", \.replicationFactor, 1...10)] {
            if let value = yaml.int(key, range: range) { settings[keyPath: path] = value }
        }
        settings.maxReplicas = max(settings.maxReplicas, settings.replicas)
        settings.prometheusOperator = yaml.bool("prometheusOperator") ?? settings.prometheusOperator
        if let (values, lines) = yaml.scalarMap("workerConfig") {
            // A worker property can hold a reference inside a longer value (sasl.jaas.config).
            let secrets = SecretMatcher(policy: Policy())
            for (key, value) in values where secrets.isSecret(key) && !value.contains("${") {
                yaml.log.add(Violation(.secretLiteral, at: yaml.location.at(line: lines[key]), "workerConfig.\(key) holds a literal secret.",
                                       fix: "Write a reference such as ${env:VAR} (from a Kubernetes Secret) or ${file:/secrets/x.properties:key}."))
            }
            settings.workerConfig.merge(values) { _, new in new }
        }
        return settings
    }

    static func readCluster(_ yaml: YAMLMapping, kubernetes defaults: KubernetesSettings, access platformAccess: AccessSettings = AccessSettings(),
                            gitops platformGitOps: GitOpsSettings = GitOpsSettings()) -> ClusterDefinition? {
        yaml.rejectUnknownKeys(clusterKeys)
        guard let name = yaml.string("name", required: "Add `name: <cluster>`.") else { return nil }
        if !NamePattern.team.matches(name) {
            yaml.invalid("name", "Cluster name '\(name)' must match [a-z][a-z0-9-]*.", fix: "Use lower-case letters, digits and dashes.")
        }
        var urls = yaml.strings("urls") ?? []
        if let url = yaml.string("url") { urls.insert(url, at: 0) }
        if urls.isEmpty {
            yaml.missing("url", fix: "Add `url: http://connect:8083` (or `urls:` with one URL per worker).")
        }
        let urlKey = yaml.has("url") ? "url" : "urls"
        for url in urls {
            // Never repeat a URL that holds credentials.
            if Scrubber.holdsCredential(url) {
                yaml.log.add(Violation(.secretLiteral, at: yaml.locationOf(urlKey), "A URL of cluster '\(name)' holds credentials (user:password@ or a password parameter).",
                                       fix: "Write the URL without them and use `auth: basic:` with `passwordEnv:` or `passwordFile:`."))
                continue
            }
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                yaml.invalid(urlKey, "'\(url)' of cluster '\(name)' is not an http(s) URL.", fix: "Write the worker's REST URL, for example http://connect-0.connect:8083.")
                continue
            }
        }
        var basicAuth: ClusterDefinition.BasicAuth?
        if let auth = yaml.mapping("auth", context: "auth of cluster '\(name)'") {
            auth.rejectUnknownKeys(["basic"])
            if let basic = auth.mapping("basic", context: "basic auth of cluster '\(name)'") {
                basic.rejectUnknownKeys(["username", "passwordEnv", "passwordFile"])
                if basic.has("password") {
                    basic.log.add(Violation(.secretLiteral, at: basic.locationOf("password"), "The cluster's password is written in the catalog.", fix: "Use `passwordEnv: VAR` or `passwordFile: /path`."))
                }
                if let username = basic.string("username", required: "Add `username:`.") {
                    basicAuth = .init(username: username, passwordEnv: basic.string("passwordEnv"), passwordFile: basic.string("passwordFile"))
                    if basicAuth?.passwordEnv == nil && basicAuth?.passwordFile == nil {
                        basic.missing("passwordEnv", fix: "Add `passwordEnv: VAR` or `passwordFile: /path` (never the password itself).")
                    }
                }
            }
        }
        var tls: ClusterDefinition.TLS?
        if let section = yaml.mapping("tls", context: "tls of cluster '\(name)'") {
            section.rejectUnknownKeys(["caFile", "insecureSkipVerify"])
            tls = .init(caFile: section.string("caFile"), insecureSkipVerify: section.bool("insecureSkipVerify") ?? false)
        }
        var kafka: ClusterDefinition.Kafka?
        if let section = yaml.mapping("kafka", context: "kafka of cluster '\(name)'") {
            section.rejectUnknownKeys(["bootstrapServers", "securityProtocol", "saslMechanism", "saslUsername", "saslPasswordEnv"])
            if section.has("saslPassword") {
                section.log.add(Violation(.secretLiteral, at: section.locationOf("saslPassword"), "The SASL password of cluster '\(name)' is written in the catalog.", fix: "Use `saslPasswordEnv: VAR`."))
            }
            if let servers = section.string("bootstrapServers", required: "Add `bootstrapServers: host:9092[,host:9092]`.") {
                kafka = .init(bootstrapServers: servers, securityProtocol: section.string("securityProtocol"), saslMechanism: section.string("saslMechanism"),
                              saslUsername: section.string("saslUsername"), saslPasswordEnv: section.string("saslPasswordEnv"))
            }
        }
        let kubernetes = yaml.mapping("kubernetes", context: "kubernetes settings of cluster '\(name)'").map { readKubernetes($0, over: defaults) } ?? defaults
        let access = yaml.mapping("access", context: "access of cluster '\(name)'").map { readAccess($0, over: platformAccess, scope: "cluster '\(name)'") } ?? platformAccess
        let gitops = yaml.mapping("gitops", context: "gitops of cluster '\(name)'").map { readGitOps($0, over: platformGitOps, scope: "cluster '\(name)'") } ?? platformGitOps
        return ClusterDefinition(name: name, urls: urls, basicAuth: basicAuth, tls: tls, allowedClasses: yaml.strings("allowedClasses"), kafka: kafka,
                                 kubernetes: kubernetes, access: access, gitops: gitops, environment: yaml.string("environment"), location: yaml.locationOf("name"))
    }

    static func readPolicy(_ yaml: YAMLMapping) -> Policy {
        yaml.rejectUnknownKeys(policyKeys)
        var policy = Policy()
        if let pattern = yaml.string("secretKeyPattern") {
            do {
                _ = try SecretMatcher(pattern: pattern)
                policy.secretKeyPattern = pattern
            } catch {
                yaml.invalid("secretKeyPattern", "secretKeyPattern is not a valid regular expression (\(error.localizedDescription)).",
                             fix: "Write a regular expression, for example (?i).*(password|secret|token).*")
            }
        }
        policy.secretProviders = yaml.strings("secretProviders") ?? []
        policy.maxTasks = yaml.int("maxTasks", range: 1...10_000) ?? policy.maxTasks
        policy.maxDeletesPerApply = yaml.int("maxDeletesPerApply", range: 0...100_000) ?? policy.maxDeletesPerApply
        policy.requirePromotion = yaml.bool("requirePromotion") ?? false
        if let impact = yaml.mapping("impact", context: "policy.impact") {
            impact.rejectUnknownKeys(["crossTeam"])
            if let text = impact.string("crossTeam") {
                if let rule = Policy.CrossTeamImpact(rawValue: text) {
                    policy.crossTeamImpact = rule
                } else {
                    impact.invalid("crossTeam", "policy.impact.crossTeam must be warn or require-approval (got '\(text)').", fix: "Write `impact: {crossTeam: require-approval}`.")
                }
            }
        }
        policy.allowedClasses = yaml.strings("allowedClasses")
        policy.requiredKeys = readKeyRules(yaml, "requiredKeys")
        policy.forbiddenKeys = readKeyRules(yaml, "forbiddenKeys")
        for entry in yaml.mappings("defaults", context: { index, _ in "default \(index + 1) of the policy" }) ?? [] {
            entry.rejectUnknownKeys(["key", "value", "appliesTo"])
            guard let key = entry.string("key", required: "Add `key:`."), let value = entry.string("value", required: "Add `value:`.") else { continue }
            policy.defaults.append(.init(key: key, value: value, appliesTo: readScope(entry) ?? .all))
        }
        if let ignored = yaml.strings("ignoredLiveKeys") {
            policy.ignoredLiveKeys = Array(Set(ignored + ["name"])).sorted()
        }
        return policy
    }

    /// A list whose items are a key, or `{key, appliesTo, reason}`.
    static func readKeyRules(_ yaml: YAMLMapping, _ key: String) -> [Policy.KeyRule] {
        guard yaml.has(key) else { return [] }
        if let plain = plainStrings(yaml, key) { return plain.map { Policy.KeyRule(key: $0) } }
        return (yaml.mappings(key, context: { index, _ in "\(key) item \(index + 1)" }) ?? []).compactMap { entry in
            entry.rejectUnknownKeys(["key", "appliesTo", "reason"])
            guard let name = entry.string("key", required: "Add `key:`.") else { return nil }
            return Policy.KeyRule(key: name, appliesTo: readScope(entry) ?? .all, reason: entry.string("reason"))
        }
    }

    /// The list's items when they are all plain values; throws (without a violation) otherwise.
    /// The list as plain strings, or nil when it is not one (its items are then read as mappings,
    /// and any problem is reported there).
    private static func plainStrings(_ yaml: YAMLMapping, _ key: String) -> [String]? {
        let probe = YAMLMapping(mapping: yaml.mapping, location: yaml.location, context: yaml.context, log: ViolationLog())
        guard let values = probe.strings(key), probe.log.items.isEmpty else { return nil }
        return values
    }

    static func readScope(_ yaml: YAMLMapping) -> Policy.Scope? {
        guard let text = yaml.string("appliesTo") else { return nil }
        guard let scope = Policy.Scope(rawValue: text) else {
            yaml.invalid("appliesTo", "appliesTo must be all, source or sink (got '\(text)').", fix: "Write `appliesTo: sink`.")
            return nil
        }
        return scope
    }
}
