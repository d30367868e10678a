import ConnectClient
import Foundation
import SwitchboardCore

/// Makes a ``ConnectorScaffold`` from a cluster: checks the team, the name and the class
/// (the cluster has it, the policy allows it there), reads the plugin's definitions
/// (`GET /connector-plugins/{class}/config`) and asks Connect which keys a config without them
/// lacks (its validation of the bare minimum). Every refusal names what was wrong and what
/// would do; nothing is written here.
public struct ConnectorScaffolder: Sendable {
    public let catalog: Catalog
    public let connections: ClusterConnections

    public init(catalog: Catalog, connections: ClusterConnections) {
        self.catalog = catalog
        self.connections = connections
    }

    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    /// The classes of `cluster` a connector may use: the cluster's plugins that the policy allows there.
    public func classes(on cluster: String) async throws(Refused) -> [PluginInfo] {
        guard let definition = catalog.cluster(named: cluster) else {
            throw Refused("no cluster \(cluster) in the catalog (clusters: \(catalog.clusters.map(\.name).joined(separator: ", ")))")
        }
        let plugins: [PluginInfo]
        do {
            plugins = try await connections.client(cluster).plugins()
        } catch {
            throw Refused("cannot read cluster \(cluster)'s plugins: \((error as? ConnectError)?.description ?? "\(error)")")
        }
        let allowed = definition.allowedClasses ?? catalog.policy.allowedClasses
        return plugins.filter { ["source", "sink"].contains($0.type) && (allowed?.contains($0.className) ?? true) }.sorted { $0.className < $1.className }
    }

    /// The scaffold of connector `name` of `team` on `cluster` with `connectorClass`;
    /// `values` fill keys (the page's form).
    public func scaffold(team: String, name: String, cluster: String, connectorClass: String, values: [String: String] = [:]) async throws(Refused) -> ConnectorScaffold {
        try checkNew(team: team, name: name)
        var scaffold = try await template(cluster: cluster, connectorClass: connectorClass)
        (scaffold.team, scaffold.name, scaffold.values) = (team, name, values)
        return scaffold
    }

    /// That `team` exists and `name` is a connector name it does not use yet.
    public func checkNew(team: String, name: String) throws(Refused) {
        guard catalog.team(named: team) != nil else {
            throw Refused("no team \(team) in the catalog (teams: \(PlanRenderer.abbreviated(catalog.teams.map(\.name))))")
        }
        guard NamePattern.connector.matches(name) else {
            throw Refused("'\(name)' is not a connector name: lower-case letters, digits, dots and dashes, starting with a letter or digit (the team prefix \(team)_ is added)")
        }
        if let existing = catalog.connectors.first(where: { $0.team == team && $0.name == name }) {
            throw Refused("team \(team) already has a connector \(name), defined in \(existing.location)")
        }
    }

    /// What a scaffold of `connectorClass` on `cluster` holds whoever writes it (the page keeps it
    /// a minute per cluster and class): the plugin's keys, which are needed, its version and kind.
    /// Team and name are left empty.
    public func template(cluster: String, connectorClass: String) async throws(Refused) -> ConnectorScaffold {
        guard let definition = catalog.cluster(named: cluster) else {
            throw Refused("no cluster \(cluster) in the catalog (clusters: \(catalog.clusters.map(\.name).joined(separator: ", ")))")
        }
        if let allowed = definition.allowedClasses ?? catalog.policy.allowedClasses, !allowed.contains(connectorClass) {
            throw Refused("the policy does not allow \(connectorClass) on cluster \(cluster) (allowed: \(allowed.joined(separator: ", ")))")
        }
        let client: ConnectClient
        let plugins: [PluginInfo]
        do {
            client = try connections.client(cluster)
            plugins = try await client.plugins()
        } catch {
            throw Refused("cannot read cluster \(cluster)'s plugins: \((error as? ConnectError)?.description ?? "\(error)")")
        }
        guard let plugin = plugins.first(where: { $0.className == connectorClass }), ["source", "sink"].contains(plugin.type) else {
            throw Refused("cluster \(cluster) has no connector plugin \(connectorClass); it has: \(plugins.filter { ["source", "sink"].contains($0.type) }.map(\.className).joined(separator: ", "))")
        }
        let sink = plugin.type == "sink"
        do {
            let definitions = try await client.configDefinitions(of: connectorClass)
            // What Connect says a config with nothing but the class (and a sink's topics) lacks.
            var bare = ["connector.class": connectorClass, "name": "switchboard-scaffold"]
            if sink { bare["topics"] = "switchboard-scaffold" }
            let validation = try await client.validate(connectorClass: connectorClass, config: bare)
            let keys = definitions.sorted { ($0.group ?? "", $0.order ?? 0, $0.name) < ($1.group ?? "", $1.order ?? 0, $1.name) }.map { key in
                ConnectorScaffold.Key(name: key.name, type: key.type, documentation: key.documentation, group: key.group, defaultValue: key.defaultValue,
                                      importance: key.importance, needed: key.required || !(validation.errorsByKey[key.name] ?? []).isEmpty)
            }
            return ConnectorScaffold(team: "", name: "", cluster: cluster, connectorClass: connectorClass, version: plugin.version, sink: sink, keys: keys)
        } catch {
            throw Refused("cluster \(cluster) could not describe \(connectorClass): \((error as? ConnectError)?.description ?? "\(error)")")
        }
    }

    /// The keys still wrong in the file's config as it stands: those left at the placeholder, and
    /// what Connect's validation says of the rest, in its words.
    public func check(_ scaffold: ConnectorScaffold) async throws(Refused) -> [String: [String]] {
        do {
            var config = scaffold.config(policy: catalog.policy)
            var errors: [String: [String]] = [:]
            for (key, value) in config where value == ConnectorScaffold.placeholder {
                errors[key] = ["still \(ConnectorScaffold.placeholder): fill it in"]
            }
            config["connector.class"] = scaffold.connectorClass
            config["name"] = "\(scaffold.team)_\(scaffold.name)"
            let validation = try await connections.client(scaffold.cluster).validate(connectorClass: scaffold.connectorClass, config: config)
            return errors.merging(validation.errorsByKey) { $0 + $1 }
        } catch {
            throw Refused("cluster \(scaffold.cluster) could not validate the config: \((error as? ConnectError)?.description ?? "\(error)")")
        }
    }
}
