import Foundation

/// Reads a catalog folder:
///
/// ```
/// switchboard.yaml                      clusters, policy, admins
/// teams/<team>/team.yaml                members, groups, alert receivers
/// teams/<team>/connectors/<name>.yaml   one connector per file
/// plugins.yaml                          plugin artifacts and each cluster's set (optional)
/// ```
///
/// Reading never stops at the first problem: every file is read and every violation is
/// collected, so one run of `switchboard validate` shows them all.
public enum CatalogLoader {
    public static let platformFile = "switchboard.yaml"

    /// The catalog as far as it could be read, and what is wrong with its structure.
    public struct Result: Sendable {
        public var catalog: Catalog
        public var violations: [Violation]
    }

    /// Reads the catalog and checks it against its policy; throws every violation found.
    public static func loadChecked(from root: URL) throws(CatalogError) -> Catalog {
        let result = load(from: root)
        let violations = result.violations + PolicyChecker(catalog: result.catalog).check()
        // Parsing thousands of files leaves far more garbage than the catalog they make.
        FreedMemory.giveBack()
        if !violations.isEmpty {
            throw CatalogError(violations: violations)
        }
        return result.catalog
    }

    /// Only the clusters of `switchboard.yaml`, or nil when it cannot be read cleanly; lets a
    /// caller start reading the clusters while the teams' files load.
    public static func loadClusters(from root: URL) -> [ClusterDefinition]? {
        let log = ViolationLog()
        guard let files = CatalogFiles(root: root, log: log), let entry = files.entry(platformFile),
              let text = files.read(entry),
              let mapping = YAMLMapping.parseFile(text, path: platformFile, context: "platform settings", log: log)
        else { return nil }
        let clusters = readPlatform(mapping).clusters
        return log.items.isEmpty ? clusters : nil
    }

    /// Reads the catalog's files; structural problems are returned, not thrown.
    public static func load(from root: URL) -> Result {
        let log = ViolationLog()
        let root = root.standardizedFileURL
        guard let files = CatalogFiles(root: root, log: log) else {
            return Result(catalog: Catalog(root: root, clusters: [], policy: Policy(), admins: Principals(), teams: [], connectors: [], cleanTeams: []), violations: log.items)
        }
        let layout = readLayout(files)
        let platform = layout.platform.map(readPlatform) ?? PlatformSettings()
        var cleanTeams = layout.cleanTeams
        var teams: [Team] = []
        for (name, yaml) in layout.teams {
            guard let yaml else { continue }
            let before = log.items.count
            teams.append(readTeam(yaml, folderName: name))
            if log.items.count != before { cleanTeams.remove(name) }
        }
        var connectors: [ConnectorDefinition] = []
        var strings = StringPool()  // each file's copies of the keys and values many files repeat
        for (team, path, text) in layout.connectors {
            let before = log.items.count
            if let yaml = YAMLMapping.parseFile(text, path: path, context: "connector", log: log) {
                connectors += readConnector(yaml, team: team, autoRestart: platform.autoRestart).map { $0.sharingStrings(in: &strings) }
            }
            if log.items.count != before { cleanTeams.remove(team) }
        }
        var catalog = Catalog(root: root, clusters: platform.clusters, policy: platform.policy, admins: platform.admins, teams: teams, connectors: connectors,
                              plugins: layout.plugins.map(readPlugins), alerting: platform.alerting, kubernetes: platform.kubernetes, access: platform.access, autoRestart: platform.autoRestart, cleanTeams: cleanTeams)
        catalog.reviewers = platform.reviewers
        catalog.environments = platform.environments
        catalog.unreadableFiles = Set(log.items.filter(\.rule.isUnreadableFile).map(\.location.file))
        return Result(catalog: catalog, violations: log.items)
    }

    // MARK: connectors

    static let connectorKeys = ["name", "cluster", "clusters", "class", "pluginVersion", "tasks", "state", "config", "description", "protect", "autoRestart"]
    /// What a connector's entry under `clusters:` may set for that cluster alone.
    static let overrideKeys = ["pluginVersion", "tasks", "state", "config", "protect", "autoRestart"]

    /// One definition per cluster the file names: `cluster: x`, or `clusters:` (a list, or a
    /// mapping whose entries override `tasks`, `state`, `config` keys, `protect` and
    /// `autoRestart` for that cluster: one definition promoted from staging to prod).
    static func readConnector(_ yaml: YAMLMapping, team: String, autoRestart platform: AutoRestartPolicy = AutoRestartPolicy()) -> [ConnectorDefinition] {
        yaml.rejectUnknownKeys(connectorKeys)
        let name = yaml.string("name", required: "Add `name: <name>`; the connector is called <team>_<name> on the cluster.")
        let connectorClass = yaml.string("class")
        if !yaml.has("class") {
            yaml.missing("class", rule: .missingClass, fix: "Add `class: <connector class>`, for example org.apache.kafka.connect.file.FileStreamSinkConnector.")
        }
        var targets: [(name: String, mapping: YAMLMapping?, location: SourceLocation)] = []
        if yaml.has("cluster") && yaml.has("clusters") {
            yaml.invalid("clusters", "The connector gives both `cluster:` and `clusters:`.", fix: "Keep `clusters:` (one entry per cluster, with what differs there) and remove `cluster:`.")
        } else if yaml.has("clusters") {
            targets = yaml.namedMappings("clusters", context: { "settings of connector '\(name ?? "?")' on cluster '\($0)'" }) ?? []
            if targets.isEmpty {
                yaml.invalid("clusters", "`clusters:` of the connector names no cluster.", fix: "Name at least one cluster of switchboard.yaml.")
            }
            var seen: Set<String> = []
            for target in targets where !seen.insert(target.name).inserted {
                yaml.log.add(Violation(.duplicateName, at: target.location, "Cluster '\(target.name)' is named twice under `clusters:`.", fix: "Name each cluster once."))
            }
        } else if let cluster = yaml.string("cluster", required: "Add `cluster: <name>` (or `clusters:` for several) naming a cluster of switchboard.yaml.") {
            targets = [(cluster, nil, yaml.locationOf("cluster"))]
        }
        _ = yaml.string("description")  // text, when given (checked here; shown nowhere yet)
        let base = readSettings(yaml, over: Settings(autoRestart: nil), platform: platform, connector: name ?? "?")
        guard let name, let connectorClass, let base else { return [] }
        var shortName = name
        if name.hasPrefix("\(team)_") {
            shortName = String(name.dropFirst(team.count + 1))
        }
        return targets.compactMap { target in
            var settings: Settings? = base
            if let overrides = target.mapping {
                overrides.rejectUnknownKeys(overrideKeys)
                settings = readSettings(overrides, over: base, platform: platform, connector: name)
            }
            guard let settings else { return nil }
            return ConnectorDefinition(
                team: team, name: shortName, cluster: target.name, connectorClass: connectorClass, tasks: settings.tasks,
                state: settings.state, config: settings.config, location: yaml.locationOf("name"), configLines: settings.configLines, protect: settings.protect,
                autoRestart: settings.autoRestart, pluginVersion: settings.pluginVersion
            )
        }
    }

    /// What a connector file sets, and what a cluster's entry under `clusters:` may override.
    struct Settings {
        var tasks = 1
        var state = DesiredState.running
        var config: [String: String] = [:]
        var configLines: [String: Int] = [:]
        var protect = false
        var autoRestart: AutoRestartPolicy?
        var pluginVersion: String?
    }

    /// The settings of `yaml` over `base` (nil when one of them is wrong: said in the log).
    static func readSettings(_ yaml: YAMLMapping, over base: Settings, platform: AutoRestartPolicy, connector: String) -> Settings? {
        var settings = base
        var valid = true
        if yaml.has("tasks") {
            if let tasks = yaml.int("tasks", range: 1...10_000) { settings.tasks = tasks } else { valid = false }
        }
        if let text = yaml.string("state") {
            if let parsed = DesiredState(rawValue: text.lowercased()) {
                settings.state = parsed
            } else {
                yaml.invalid("state", "'state' must be running, paused or stopped (got '\(text)').", fix: "Write `state: running`, `state: paused` or `state: stopped`.")
                valid = false
            }
        }
        if yaml.has("config") {
            if let config = yaml.scalarMap("config") {
                settings.config.merge(config.values) { $1 }
                settings.configLines.merge(config.lines) { $1 }
            } else {
                valid = false
            }
        }
        if yaml.has("protect") {
            if let protect = yaml.bool("protect") { settings.protect = protect } else { valid = false }
        }
        if yaml.has("pluginVersion") {
            if let version = yaml.string("pluginVersion"), let checked = pluginVersion(version, in: yaml) { settings.pluginVersion = checked } else { valid = false }
        }
        if let autoRestart = yaml.mapping("autoRestart", context: "autoRestart of connector '\(connector)'") {
            settings.autoRestart = readAutoRestart(autoRestart, over: base.autoRestart ?? platform, connector: true)
        }
        return valid ? settings : nil
    }

    /// A plugin version as Connect takes it: a version (`3.6.3.Final`) or a Maven range
    /// (`[3.0,4.0)`), printable, without spaces. Nil (said in the log) otherwise.
    static func pluginVersion(_ text: String, in yaml: YAMLMapping) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-_+[](),"))
        guard !trimmed.isEmpty, trimmed.count <= 100, trimmed.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else {
            yaml.invalid("pluginVersion", "'pluginVersion' must be a plugin version such as 3.6.3.Final or a range such as [3.0,4.0) (got '\(Scrubber.scrub(text))').",
                         fix: "Write the version the plugin reports (`switchboard plugins verify` and the cluster page list them), or leave it out for the newest installed.")
            return nil
        }
        return trimmed
    }

    // MARK: teams

    static let teamKeys = ["name", "description", "members", "groups", "roles", "alerts", "reviewers"]

    static func readTeam(_ yaml: YAMLMapping, folderName: String) -> Team {
        yaml.rejectUnknownKeys(teamKeys)
        if let name = yaml.string("name"), name != folderName {
            yaml.invalid("name", "team.yaml says the team is '\(name)' but its folder is teams/\(folderName).", fix: "The folder name is the team name: rename the folder or fix `name:`.")
        }
        var receivers: [AlertReceiver] = []
        if let alerts = yaml.mapping("alerts", context: "alerts of team '\(folderName)'") {
            alerts.rejectUnknownKeys(["receivers"])
            for receiver in alerts.mappings("receivers", context: { index, _ in "alert receiver \(index + 1) of team '\(folderName)'" }) ?? [] {
                if let parsed = readReceiver(receiver) { receivers.append(parsed) }
            }
        }
        return Team(
            name: folderName,
            description: yaml.string("description"),
            members: Principals(users: yaml.strings("members") ?? [], groups: yaml.strings("groups") ?? []),
            roles: readRoles(yaml, team: folderName),
            alertReceivers: receivers,
            reviewers: readReviewers(yaml),
            location: yaml.location
        )
    }

    /// `reviewers:` (team.yaml, switchboard.yaml): code owners as CODEOWNERS names them, a
    /// GitHub `@user` or `@org/team`, or an email address.
    static func readReviewers(_ yaml: YAMLMapping) -> [String] {
        let reviewers = yaml.strings("reviewers") ?? []
        for reviewer in reviewers where !isReviewer(reviewer) {
            yaml.invalid("reviewers", "'\(reviewer)' in reviewers is not a code owner: write a GitHub user or team (@name, @org/team) or an email address.",
                         fix: "For example `reviewers: [\"@acme/payments-eng\"]`.")
        }
        return reviewers
    }

    static func isReviewer(_ text: String) -> Bool {
        let handle = #"^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?$"#
        let email = #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#
        return text.range(of: handle, options: .regularExpression) != nil || text.range(of: email, options: .regularExpression) != nil
    }

    /// `roles:` of team.yaml: a grantable role to `{users, groups}`.
    static func readRoles(_ yaml: YAMLMapping, team: String) -> [RoleGrant] {
        guard let roles = yaml.mapping("roles", context: "roles of team '\(team)'") else { return [] }
        let names = Role.grantable.map(\.rawValue)
        if roles.has("admin") {
            roles.invalid("admin", "A team cannot grant the admin role.", fix: "Platform admins are listed under `admins:` in switchboard.yaml.")
        }
        roles.rejectUnknownKeys(names + ["admin"])
        return Role.grantable.compactMap { role in
            guard let grant = roles.mapping(role.rawValue, context: "role \(role.rawValue) of team '\(team)'") else { return nil }
            grant.rejectUnknownKeys(["users", "groups"])
            return RoleGrant(role: role, principals: Principals(users: grant.strings("users") ?? [], groups: grant.strings("groups") ?? []))
        }
    }

    static func readReceiver(_ yaml: YAMLMapping) -> AlertReceiver? {
        yaml.rejectUnknownKeys(["type", "url", "urlFile", "channel", "to"])
        guard let type = yaml.string("type", required: "Add `type: webhook`, `slack` or `email`.") else { return nil }
        guard let kind = AlertReceiver.Kind(rawValue: type) else {
            yaml.invalid("type", "Unknown alert receiver type '\(type)'.", fix: "Use webhook, slack or email.")
            return nil
        }
        let receiver = AlertReceiver(kind: kind, url: yaml.string("url"), urlFile: yaml.string("urlFile"), channel: yaml.string("channel"), to: yaml.string("to"))
        switch kind {
        case .webhook where receiver.url == nil:
            yaml.missing("url", fix: "A webhook receiver needs `url: https://...`.")
        case .slack where receiver.url == nil && receiver.urlFile == nil:
            yaml.missing("urlFile", fix: "A Slack receiver needs `urlFile:` (a file holding the webhook URL) or `url:`.")
        case .email where receiver.to == nil:
            yaml.missing("to", fix: "An email receiver needs `to: team@example.com`.")
        default:
            break
        }
        return receiver
    }
}
