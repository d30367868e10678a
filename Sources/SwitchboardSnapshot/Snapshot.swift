import ConnectClient
import Foundation
import Reconciler
import SwitchboardAPI
import SwitchboardCore

/// Everything the pages show, built once per poll from the clusters' bulk reads and the catalog.
/// Page views only filter and render it; they never call Connect.
public struct Snapshot: Sendable {
    public var clusters: [String: ClusterView]
    /// Every connector, by ``ConnectorView/key``.
    public var connectors: [String: ConnectorView]
    /// Connector keys over all clusters, failed and degraded first, then by cluster and name.
    public var ordered: [String]
    public var takenAt: Date

    public static let empty = Snapshot(clusters: [:], connectors: [:], ordered: [], takenAt: .distantPast)

    /// Builds the snapshot from each cluster's latest successful read.
    public static func build(catalog: Catalog, reads: [String: ClusterRead], restarts: [String: AutoRestartStatus] = [:], at date: Date = Date()) -> Snapshot {
        var memo = ViewMemo()
        return build(catalog: catalog, reads: reads, restarts: restarts, at: date, memo: &memo)
    }

    /// Builds the snapshot, reusing from `memo` the view of every connector whose read and plan
    /// are what they were at the last build of the same catalog, and leaves in `memo` what this
    /// build made. At 20,000 connectors most of a poll changes nothing, and masking configs and
    /// scrubbing traces is what a build would spend its time on.
    public static func build(catalog: Catalog, reads: [String: ClusterRead], restarts: [String: AutoRestartStatus] = [:], at date: Date = Date(),
                             memo: inout ViewMemo) -> Snapshot {
        var next = ViewMemo()
        let secrets = SecretMatcher(policy: catalog.policy)
        let planner = Planner(catalog: catalog)
        var connectors: [String: ConnectorView] = [:]
        var clusters: [String: ClusterView] = [:]
        for definition in catalog.clusters {
            let read = reads[definition.name] ?? ClusterRead()
            let live = read.connectors ?? [:]
            let defined = Dictionary(catalog.connectors(on: definition.name).map { ($0.fullName, $0) }) { first, _ in first }
            // This cluster's plan only (each cluster's own: not the first of a whole-catalog plan).
            let clusterPlan: ClusterPlan? = planner.plan(cluster: definition.name, live: live.map { LiveConnector(name: $0.key, config: $0.value.info?.config, state: $0.value.state?.rawValue) })
            let ownerships = clusterPlan?.ownerships ?? [:]
            let drift = Dictionary((clusterPlan?.changes ?? []).filter { $0.action == .update }.map { ($0.connector, $0.keyChanges) }) { first, _ in first }
            let stateDrift = Dictionary((clusterPlan?.changes ?? []).filter { $0.changesState && $0.action != .create }.compactMap { change in change.toState.map { (change.connector, $0) } }) { first, _ in first }
            var workers: [String: ClusterView.Worker] = [:]
            var keys: [String] = []
            // Every secret value on the cluster, to scrub from traces.
            let clusterSecrets = live.values.flatMap { secrets.secretValues(of: $0.info?.config ?? [:]) }
            // A trace is scrubbed with every secret of its cluster: a new secret anywhere on it means new views.
            let secretSet = Set(clusterSecrets)
            let sameSecrets = memo.clusterSecrets[definition.name] == secretSet
            next.clusterSecrets[definition.name] = secretSet
            for (name, snapshot) in live {
                let inputs = ViewMemo.Inputs(read: snapshot, definition: defined[name], drift: drift[name] ?? [], stateDrift: stateDrift[name], ownership: ownerships[name] ?? .unmanaged)
                let key = ConnectorView.key(cluster: definition.name, name: name)
                var view: ConnectorView
                if sameSecrets, let earlier = memo.entries[key], earlier.inputs == inputs {
                    view = earlier.view
                } else {
                    view = ConnectorView.make(name: name, cluster: definition.name, snapshot: snapshot, catalog: catalog, secrets: secrets, clusterSecrets: clusterSecrets,
                                              definition: inputs.definition, drift: inputs.drift, stateDrift: inputs.stateDrift, ownership: inputs.ownership)
                }
                next.entries[key] = .init(inputs: inputs, view: view)
                view.restartStatus = restarts[view.key].map { var status = $0; status.maxRestarts = view.autoRestart.maxRestarts; return status }
                connectors[view.key] = view
                keys.append(view.key)
                if let id = view.worker { workers[id, default: .init(id: id, connectors: 0, tasks: 0)].connectors += 1 }
                for task in view.tasks {
                    if let id = task.worker { workers[id, default: .init(id: id, connectors: 0, tasks: 0)].tasks += 1 }
                }
            }
            clusters[definition.name] = ClusterView(
                name: definition.name, urls: definition.urls,
                connectorKeys: sortByUrgency(keys, connectors),
                workers: workers.values.sorted { $0.id < $1.id },
                plugins: read.plugins ?? [], connectVersion: read.version,
                readAt: read.readAt, lastError: read.lastError.map { Scrubber.scrub($0) }, lastErrorAt: read.lastErrorAt
            )
        }
        memo = next
        return Snapshot(clusters: clusters, connectors: connectors, ordered: sortByUrgency(Array(connectors.keys), connectors), takenAt: date)
    }

    public static func sortByUrgency(_ keys: [String], _ connectors: [String: ConnectorView]) -> [String] {
        // Each view is looked up once, not at every comparison (a view is a large value to copy).
        keys.compactMap { key in connectors[key].map { (urgency: $0.urgency, cluster: $0.cluster, name: $0.name, key: key) } }
            .sorted { ($0.urgency, $0.cluster, $0.name) < ($1.urgency, $1.cluster, $1.name) }
            .map(\.key)
    }

    /// Connectors matching a filter, in urgency order.
    public func connectors(matching filter: ConnectorFilter) -> [ConnectorView] {
        ordered.lazy.compactMap { self.connectors[$0] }.filter(filter.matches)
    }

    /// Clusters that could not be read at the last poll.
    public var unreachable: [ClusterView] {
        clusters.values.filter { !$0.isReachable }.sorted { $0.name < $1.name }
    }

    public init(clusters: [String: ClusterView], connectors: [String: ConnectorView], ordered: [String], takenAt: Date) {
        self.clusters = clusters
        self.connectors = connectors
        self.ordered = ordered
        self.takenAt = takenAt
    }
}

/// What the last build made of each connector, and from what (see ``Snapshot/build(catalog:reads:restarts:at:memo:)``).
/// Good for one catalog: a new catalog starts from an empty memo.
public struct ViewMemo: Sendable {
    /// What a connector's view is made from, besides the catalog and its cluster's secrets.
    struct Inputs: Sendable, Equatable {
        var read: ConnectorSnapshot
        var definition: ConnectorDefinition?
        var drift: [KeyChange]
        var stateDrift: DesiredState?
        var ownership: Ownership
    }

    struct Entry: Sendable {
        var inputs: Inputs
        /// Without the auto-restart controller's word, which is set at each build.
        var view: ConnectorView
    }

    var entries: [String: Entry] = [:]
    var clusterSecrets: [String: Set<String>] = [:]

    public init() {}
}

/// What one cluster returned most recently, kept across failed polls.
public struct ClusterRead: Sendable {
    public var connectors: [String: ConnectorSnapshot]?
    public var readAt: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    public var plugins: [ClusterView.Plugin]?
    public var version: String?
    public init() {}
}

/// The overview's filters: team, cluster, state and a name substring.
public struct ConnectorFilter: Sendable, Equatable {
    public var team: String?
    public var cluster: String?
    /// A ``ConnectorView/health``: FAILED (also running with no task running), DEGRADED
    /// (a task failed), or another Connect state.
    public var state: String?
    public var name: String?

    public init(team: String? = nil, cluster: String? = nil, state: String? = nil, name: String? = nil) {
        self.team = team.flatMap { $0.isEmpty ? nil : $0 }
        self.cluster = cluster.flatMap { $0.isEmpty ? nil : $0 }
        self.state = state.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        self.name = name.flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    /// The filter as a cache key.
    public var key: String { [team, cluster, state, name].map { $0 ?? "" }.joined(separator: "\u{1F}") }

    public func matches(_ connector: ConnectorView) -> Bool {
        if let team, connector.team != team { return false }
        if let cluster, connector.cluster != cluster { return false }
        if let state, connector.health != state { return false }
        if let name, !connector.name.lowercased().contains(name) { return false }
        return true
    }
}
