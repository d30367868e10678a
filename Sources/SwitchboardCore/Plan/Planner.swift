/// Compares the catalog with what runs and returns the ``Plan``. Pure.
public struct Planner {
    public let catalog: Catalog
    let secrets: SecretMatcher

    public init(catalog: Catalog) {
        self.catalog = catalog
        self.secrets = SecretMatcher(policy: catalog.policy)
    }

    /// `live` holds every connector of each cluster of the catalog, by cluster name.
    public func plan(live: [String: [LiveConnector]]) -> Plan {
        Plan(clusters: catalog.clusters.map { plan(cluster: $0.name, live: live[$0.name] ?? []) })
    }

    /// The plan of one cluster, from what runs on it.
    public func plan(cluster: String, live: [LiveConnector]) -> ClusterPlan {
        var memo = PlanMemo()
        return plan(cluster: cluster, live: live, memo: &memo)
    }

    /// The plan of one cluster, reusing from `memo` what each connector's comparison gave when
    /// its live config and state were as now (the catalog being the same: a memo is good for one
    /// catalog), and leaving in it what this plan found. A server plans every cluster at every
    /// poll; at 20,000 connectors almost none changed since the last.
    public func plan(cluster: String, live: [LiveConnector], memo: inout PlanMemo) -> ClusterPlan {
        let desired = Dictionary(catalog.connectors(on: cluster).map { ($0.fullName, $0) }) { first, _ in first }
        let running = Dictionary(live.map { ($0.name, $0) }) { first, _ in first }
        var changes: [Change] = []
        var unchanged: [String] = []
        var unmanaged: [String] = []
        var kept: [ClusterPlan.Kept] = []

        var next: [String: PlanMemo.Entry] = [:]
        for name in desired.keys.sorted() {
            let connector = desired[name]!
            if let current = running[name], let earlier = memo.entries[name], earlier.config == current.config, earlier.state == current.state {
                if let change = earlier.change { changes.append(change) } else { unchanged.append(name) }
                next[name] = earlier
                continue
            }
            let config = catalog.policy.effectiveConfig(for: connector)
            guard let current = running[name] else {
                changes.append(Change(action: .create, cluster: cluster, connector: name, team: connector.team, source: connector.location,
                                      keyChanges: diff(from: [:], to: config), toState: connector.state, changesState: true, config: config))
                continue
            }
            let keyChanges = current.config.map { diff(from: comparable($0), to: config) } ?? []
            let stateChange = needsStateChange(from: current, to: connector.state)
            var change: Change?
            if !keyChanges.isEmpty {
                change = Change(action: .update, cluster: cluster, connector: name, team: connector.team, source: connector.location,
                                keyChanges: keyChanges, fromState: current.state, toState: connector.state, changesState: stateChange, config: config)
            } else if stateChange {
                change = Change(action: .changeState, cluster: cluster, connector: name, team: connector.team, source: connector.location,
                                fromState: current.state, toState: connector.state, changesState: true)
            }
            if let change { changes.append(change) } else { unchanged.append(name) }
            next[name] = PlanMemo.Entry(config: current.config, state: current.state, change: change)
        }
        memo.entries = next

        // Deletes: only connectors of a team whose folder was read cleanly, and never a protected one.
        for current in live.sorted(by: { $0.name < $1.name }) where desired[current.name] == nil {
            guard let team = catalog.owningTeam(ofConnectorNamed: current.name) else {
                unmanaged.append(current.name)
                continue
            }
            if current.config?[ConnectorDefinition.protectKey] == "true" {
                kept.append(.init(connector: current.name, team: team.name, reason: .protected))
            } else if !catalog.cleanTeams.contains(team.name) {
                kept.append(.init(connector: current.name, team: team.name, reason: .keptTeamFolderIncomplete))
            } else {
                changes.append(Change(action: .delete, cluster: cluster, connector: current.name, team: team.name, source: nil,
                                      keyChanges: current.config.map { diff(from: comparable($0), to: [:]) } ?? [], fromState: current.state))
            }
        }
        return ClusterPlan(cluster: cluster, environment: catalog.cluster(named: cluster)?.environment, changes: changes, unchanged: unchanged, unmanaged: unmanaged, kept: kept)
    }

    /// The live config without the keys Connect adds by itself, so that like is compared with like.
    func comparable(_ config: [String: String]) -> [String: String] {
        config.filter { !catalog.policy.ignoredLiveKeys.contains($0.key) }
    }

    /// A state change is due when Connect reports running, paused or stopped and it differs; and
    /// when a failed or unassigned connector should be paused or stopped. A failed connector that
    /// should run is a matter for restart, not for the plan.
    func needsStateChange(from current: LiveConnector, to desired: DesiredState) -> Bool {
        if let state = current.desiredState { return state != desired }
        guard let state = current.state?.uppercased() else { return false }
        return ["FAILED", "UNASSIGNED"].contains(state) && desired != .running
    }

    /// Key-level differences, secret values masked.
    func diff(from old: [String: String], to new: [String: String]) -> [KeyChange] {
        Set(old.keys).union(new.keys).sorted().compactMap { key in
            let before = old[key], after = new[key]
            guard before != after else { return nil }
            let kind: KeyChange.Kind = before == nil ? .added : after == nil ? .removed : .changed
            return KeyChange(key: key, kind: kind, old: before.map { secrets.display(key, $0) }, new: after.map { secrets.display(key, $0) })
        }
    }
}

/// What each managed connector's comparison gave at the last plan of its cluster, with the live
/// config and state it was made from (``Planner/plan(cluster:live:memo:)``).
public struct PlanMemo: Sendable {
    struct Entry: Sendable {
        var config: [String: String]?
        var state: String?
        var change: Change?
    }

    var entries: [String: Entry] = [:]

    public init() {}
}
