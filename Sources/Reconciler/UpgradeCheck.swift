import ConnectClient
import Foundation
import SwitchboardCore

/// Checks every connector of one cluster against a cluster that runs the release to upgrade to,
/// with the target's own validation (`PUT /connector-plugins/{class}/config/validate`): its
/// plugin is there (in the version it pins), Connect accepts each key, and no key the source
/// knows is unknown to the target (a key a release no longer knows is silently ignored there).
/// Reads: one bulk read of the source, the target's version and plugins, then two validations
/// per connector (source and target: what each release knows), `parallelism` at a time. Writes
/// nothing anywhere.
public struct UpgradeCheck: Sendable {
    public let catalog: Catalog
    public let connections: ClusterConnections
    public var parallelism: Int

    public init(catalog: Catalog, connections: ClusterConnections, parallelism: Int = 8) {
        self.catalog = catalog
        self.connections = connections
        self.parallelism = parallelism
    }

    public func run(cluster: String, target: String) async throws -> UpgradeReport {
        let source = try connections.client(cluster), destination = try connections.client(target)
        async let sourceInfo = source.serverInfo()
        async let targetInfo = destination.serverInfo()
        async let live = source.connectors()
        async let plugins = destination.plugins()
        let (release, targetRelease, connectors, installed) = try await (sourceInfo.version, targetInfo.version, live, plugins)
        let secrets = SecretMatcher(policy: catalog.policy)
        let catalog = self.catalog
        let findings = await boundedMap(connectors.sorted { $0.key < $1.key }, limit: parallelism) { entry -> UpgradeReport.Finding in
            let (name, snapshot) = entry
            let config = snapshot.info?.config ?? [:]
            let team = catalog.connectors.first { $0.cluster == cluster && $0.fullName == name }?.team ?? catalog.owningTeam(ofConnectorNamed: name)?.name
            return await Self.check(name: name, team: team, config: config, installed: installed, source: source, target: destination,
                                    targetName: target, targetRelease: targetRelease, secrets: secrets)
        }
        return UpgradeReport(cluster: cluster, release: release, target: target, targetRelease: targetRelease, findings: findings)
    }

    static func check(name: String, team: String?, config: [String: String], installed: [PluginInfo], source: ConnectClient, target: ConnectClient,
                      targetName: String, targetRelease: String, secrets: SecretMatcher) async -> UpgradeReport.Finding {
        let className = config["connector.class"] ?? ""
        func finding(_ verdict: UpgradeReport.Finding.Verdict, _ problems: [UpgradeReport.Finding.Problem]) -> UpgradeReport.Finding {
            .init(connector: name, team: team, connectorClass: className, verdict: verdict, problems: problems)
        }
        let offered = installed.filter { $0.className == className }
        guard !offered.isEmpty else {
            return finding(.pluginMissing, [.init(key: "connector.class", message: "cluster \(targetName) (Connect \(targetRelease)) has no plugin of \(className)")])
        }
        if let pinned = config[ConnectorDefinition.pluginVersionKey], !pinned.contains(where: { "[](),".contains($0) }), !offered.contains(where: { $0.version == pinned }) {
            return finding(.pluginMissing, [.init(key: ConnectorDefinition.pluginVersionKey,
                                                  message: "cluster \(targetName) has \(className) in \(offered.compactMap(\.version).joined(separator: ", ")), not the pinned \(pinned)")])
        }
        do {
            async let before = source.validate(connectorClass: className, config: config)
            async let after = target.validate(connectorClass: className, config: config)
            let (known, checked) = try await (before, after)
            var problems = checked.errorsByKey.sorted { $0.key < $1.key }.flatMap { key, messages in
                messages.map { UpgradeReport.Finding.Problem(key: key, message: secrets.scrub($0, config: config)) }
            }
            for key in known.knownKeys.subtracting(checked.knownKeys).intersection(config.keys).sorted() {
                problems.append(.init(key: key, message: "Connect \(targetRelease) does not know '\(key)' (it would be ignored)"))
            }
            return finding(problems.isEmpty ? .ready : .needsChange, problems)
        } catch let error as ConnectError {
            let message = secrets.scrub(error.message ?? error.description, config: config)
            return finding(.needsChange, [.init(key: nil, message: "Connect cannot validate it: \(message)")])
        } catch {
            return finding(.needsChange, [.init(key: nil, message: Scrubber.scrub("\(error)"))])
        }
    }
}
