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
    /// Connector keys in plain `<cluster>/<name>` order: the order no state change moves, for
    /// walking the whole list with cursors.
    public let byKey: [String]
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
        next.entries.reserveCapacity(memo.entries.count)
        let secrets = SecretMatcher(policy: catalog.policy)
        let planner = Planner(catalog: catalog)
        var connectors: [String: ConnectorView] = [:]
        connectors.reserveCapacity(reads.values.reduce(0) { $0 + ($1.connectors?.count ?? 0) })
        var clusters: [String: ClusterView] = [:]
        for definition in catalog.clusters {
            let read = reads[definition.name] ?? ClusterRead()
            let live = read.connectors ?? [:]
            let defined = Dictionary(catalog.connectors(on: definition.name).map { ($0.fullName, $0) }) { first, _ in first }
            // This cluster's plan only (each cluster's own: not the first of a whole-catalog plan).
            var plans = memo.plans[definition.name] ?? PlanMemo()
            let clusterPlan: ClusterPlan? = planner.plan(cluster: definition.name, live: live.map { LiveConnector(name: $0.key, config: $0.value.info?.config, state: $0.value.state?.rawValue) },
                                                         memo: &plans)
            next.plans[definition.name] = plans
            let ownerships = clusterPlan?.ownerships ?? [:]
            let drift = Dictionary((clusterPlan?.changes ?? []).filter { $0.action == .update }.map { ($0.connector, $0.keyChanges) }) { first, _ in first }
            let stateDrift = Dictionary((clusterPlan?.changes ?? []).filter { $0.changesState && $0.action != .create }.compactMap { change in change.toState.map { (change.connector, $0) } }) { first, _ in first }
            var workers: [String: ClusterView.Worker] = [:]
            var keys: [String] = []
            // Every secret value on the cluster, to scrub from traces.
            let compared = compareReads(live, cluster: definition.name, memo: memo, secrets: secrets)
            let clusterSecrets = compared.values.flatMap(\.secretValues)
            // A trace is scrubbed with every secret of its cluster: a new secret anywhere on it means new views.
            let secretSet = Set(clusterSecrets)
            let sameSecrets = memo.clusterSecrets[definition.name] == secretSet
            next.clusterSecrets[definition.name] = secretSet
            lazy var known = Scrubber.KnownSecrets(secretSet)  // ready once for the cluster's traces (views made afresh)
            for (name, snapshot) in live {
                let inputs = ViewMemo.Inputs(read: snapshot, definition: defined[name], drift: drift[name] ?? [], stateDrift: stateDrift[name], ownership: ownerships[name] ?? .unmanaged)
                let key = ConnectorView.key(cluster: definition.name, name: name)
                var view: ConnectorView
                let read = compared[name]
                if sameSecrets, let earlier = read?.sameRead, earlier.inputs.sameApartFromRead(inputs) {
                    view = earlier.view
                    next.entries[key] = earlier
                } else {
                    view = ConnectorView.make(name: name, cluster: definition.name, snapshot: snapshot, catalog: catalog, secrets: secrets, clusterSecrets: known,
                                              definition: inputs.definition, drift: inputs.drift, stateDrift: inputs.stateDrift, ownership: inputs.ownership)
                    next.entries[key] = .init(inputs: inputs, view: view, secretValues: read?.secretValues ?? [])
                }
                setRestartStatus(restarts[key], on: &view)
                connectors[key] = view
                keys.append(key)
                count(view, in: &workers)
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

    /// The auto-restart controller's word on the view, with the policy's limit. Set only when it
    /// differs: an unchanged view stays one object with the memo's (``ConnectorView`` is copy on write).
    static func setRestartStatus(_ status: AutoRestartStatus?, on view: inout ConnectorView) {
        let status = status.map { var status = $0; status.maxRestarts = view.autoRestart.maxRestarts; return status }
        if view.restartStatus != status { view.restartStatus = status }
    }

    /// Counts the connector and its tasks on the workers that run them.
    static func count(_ view: ConnectorView, in workers: inout [String: ClusterView.Worker]) {
        if let id = view.worker { workers[id, default: .init(id: id, connectors: 0, tasks: 0)].connectors += 1 }
        for task in view.tasks {
            if let id = task.worker { workers[id, default: .init(id: id, connectors: 0, tasks: 0)].tasks += 1 }
        }
    }

    /// Per connector of a cluster: the last build's entry when its read is the same as then, and
    /// the values of its secret keys (kept from that entry when there is one).
    static func compareReads(_ live: [String: ConnectorSnapshot], cluster: String, memo: ViewMemo, secrets: SecretMatcher)
        -> [String: (sameRead: ViewMemo.Entry?, secretValues: [String])] {
        var compared: [String: (sameRead: ViewMemo.Entry?, secretValues: [String])] = [:]
        compared.reserveCapacity(live.count)
        for (name, read) in live {
            if let earlier = memo.entries[ConnectorView.key(cluster: cluster, name: name)], earlier.inputs.read == read {
                compared[name] = (earlier, earlier.secretValues)
            } else {
                compared[name] = (nil, secrets.secretValues(of: read.info?.config ?? [:]))
            }
        }
        return compared
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

    /// One page of the connectors matching a filter, after a cursor (from the start without one),
    /// and the cursor of the next page when there is more. Finds the cursor's place by binary
    /// search and reads on only until the page is full: a page costs its own rows, not the list.
    public func page(matching filter: ConnectorFilter, order: ListCursor.Order, after cursor: ListCursor?, limit: Int) -> (rows: [ConnectorView], next: ListCursor?) {
        let keys = order == .urgency ? ordered : byKey
        var start = 0
        if let cursor {
            // The first row past the cursor's sort values (a row removed since still has a place).
            var (low, high) = (0, keys.count)
            while low < high {
                let middle = (low + high) / 2
                if let view = connectors[keys[middle]], cursor.precedes(view) { high = middle } else { low = middle + 1 }
            }
            start = low
        }
        var rows: [ConnectorView] = []
        var index = start
        while index < keys.count, rows.count <= limit {
            if let view = connectors[keys[index]], filter.matches(view) { rows.append(view) }
            index += 1
        }
        guard rows.count > limit else { return (rows, nil) }
        rows.removeLast()
        return (rows, rows.last.map { ListCursor(order: order, after: $0) })
    }

    /// Clusters that could not be read at the last poll.
    public var unreachable: [ClusterView] {
        clusters.values.filter { !$0.isReachable }.sorted { $0.name < $1.name }
    }

    public init(clusters: [String: ClusterView], connectors: [String: ConnectorView], ordered: [String], takenAt: Date) {
        self.clusters = clusters
        self.connectors = connectors
        self.ordered = ordered
        self.byKey = connectors.keys.sorted()
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

        /// The same but for the read (compared apart, once per build).
        func sameApartFromRead(_ other: Inputs) -> Bool {
            definition == other.definition && drift == other.drift && stateDrift == other.stateDrift && ownership == other.ownership
        }
    }

    /// A class: the table of 20,000 entries holds a reference each, and an entry that did not
    /// change is the same object from one build to the next (inline, each was 672 bytes in every
    /// bucket of two tables, the last build's and the next's).
    final class Entry: Sendable {
        let inputs: Inputs
        /// Without the auto-restart controller's word, which is set at each build.
        let view: ConnectorView
        /// The values of the read's secret keys, for scrubbing the cluster's traces.
        let secretValues: [String]

        init(inputs: Inputs, view: ConnectorView, secretValues: [String]) {
            (self.inputs, self.view, self.secretValues) = (inputs, view, secretValues)
        }
    }

    var entries: [String: Entry] = [:]
    var clusterSecrets: [String: Set<String>] = [:]
    /// Each cluster's plan comparisons (the plan, like the views, is remade only where a
    /// connector's read changed).
    var plans: [String: PlanMemo] = [:]

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
    /// The bulk read `connectors` came from: the next read decodes only what differs from it.
    var bulk: BulkRead?
    public init() {}
}

/// The overview's and the list API's filters: team, cluster, state, and text searched in names,
/// classes and topics. Text matches ignore case and may be any part of what they search.
public struct ConnectorFilter: Sendable, Equatable {
    public var team: String?
    public var cluster: String?
    /// A ``ConnectorView/health``: FAILED (also running with no task running), DEGRADED
    /// (a task failed), or another Connect state.
    public var state: String?
    public var name: String?
    /// Part of the connector class (`debezium`, `S3SinkConnector`).
    public var connectorClass: String?
    /// Part of a topic the connector reads or writes.
    public var topic: String?
    /// Searched in name, team, class and topics at once: the overview's search box.
    public var search: String?
    /// The connectors whose topics match ``topic`` and ``search``, from the lineage (which knows
    /// declared and reported topics): set by ``resolveTopics(_:)`` before matching.
    public private(set) var onTopic: Set<String>?
    public private(set) var searchOnTopic: Set<String>?

    public init(team: String? = nil, cluster: String? = nil, state: String? = nil, name: String? = nil,
                connectorClass: String? = nil, topic: String? = nil, search: String? = nil) {
        let text = { (value: String?) in value.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces).lowercased() } }
        self.team = team.flatMap { $0.isEmpty ? nil : $0 }
        self.cluster = cluster.flatMap { $0.isEmpty ? nil : $0 }
        self.state = state.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        self.name = text(name)
        self.connectorClass = text(connectorClass)
        self.topic = text(topic)
        self.search = text(search)
    }

    /// Whether a topic search is part of it (the caller then resolves topics with the lineage).
    public var searchesTopics: Bool { topic != nil || search != nil }

    /// Sets which connectors are on a topic matching ``topic`` and ``search``, given a function
    /// that answers the connector keys on topics containing a text.
    public mutating func resolveTopics(_ connectorsOnTopicsContaining: (String) -> Set<String>) {
        onTopic = topic.map(connectorsOnTopicsContaining)
        searchOnTopic = search.map(connectorsOnTopicsContaining)
    }

    /// The filter as a cache key.
    public var key: String { [team, cluster, state, name, connectorClass, topic, search].map { $0 ?? "" }.joined(separator: "\u{1F}") }

    /// The filter as query parameters (the names the overview and the list API take).
    public var queryItems: [(String, String?)] {
        [("team", team), ("cluster", cluster), ("state", state), ("name", name), ("class", connectorClass), ("topic", topic), ("q", search)]
    }

    public func matches(_ connector: ConnectorView) -> Bool {
        if let team, connector.team != team { return false }
        if let cluster, connector.cluster != cluster { return false }
        if let state, connector.health != state { return false }
        if let name, !connector.name.lowercased().contains(name) { return false }
        if let connectorClass, !(connector.connectorClass?.lowercased().contains(connectorClass) ?? false) { return false }
        if topic != nil, !(onTopic?.contains(connector.key) ?? false) { return false }
        if let search {
            let found = connector.name.lowercased().contains(search) || (connector.team?.lowercased().contains(search) ?? false)
                || (connector.connectorClass?.lowercased().contains(search) ?? false) || (searchOnTopic?.contains(connector.key) ?? false)
            if !found { return false }
        }
        return true
    }
}
