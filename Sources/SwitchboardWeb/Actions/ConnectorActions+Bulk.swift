import Foundation
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// One action over many connectors ("restart all failed", "pause everything on this cluster"):
/// each connector authorised with the user's own role on it (the others are acted on; those it
/// may not touch are refused and audited), at most ``bulkConcurrency`` writes in flight with the
/// retries of a single action, every audit row tied to the others by the bulk id, and the
/// snapshot read again once at the end.
extension ConnectorActions {
    /// The most connectors one bulk action takes.
    public static let bulkLimit = 500
    /// Writes in flight at once (Connect forwards writes to its leader, one at a time per connector).
    public static let bulkConcurrency = 8

    /// The actions a selection takes.
    public static let bulkActions: [Action] = [.restart, .pause, .resume, .stop]

    /// Acts on `connectors` (or with `dryRun` says what it would do), in their order.
    public func performBulk(_ action: Action, on connectors: [ConnectorView], includeTasks: Bool = false, onlyFailed: Bool = false, dryRun: Bool,
                            by user: User) async -> BulkActionAnswer {
        let bulk = String(UUID().uuidString.prefix(8)).lowercased()
        let label = Request(action: action, cluster: "", connector: "", includeTasks: includeTasks, onlyFailed: onlyFailed).label
        guard !dryRun else {
            return BulkActionAnswer(action: label, bulk: bulk, dryRun: true, results: connectors.map { connector in
                let decision = permissions.decide(action.capability, user, on: connector)
                return .init(cluster: connector.cluster, connector: connector.name, result: decision.allowed ? "would-do" : "refused",
                             detail: decision.allowed ? nil : "\(action.rawValue) \(decision.reason)")
            })
        }
        var results = [BulkActionAnswer.Item?](repeating: nil, count: connectors.count)
        await withTaskGroup(of: (Int, BulkActionAnswer.Item).self) { group in
            var next = 0
            func start() {
                guard next < connectors.count else { return }
                let index = next, connector = connectors[index]
                next += 1
                group.addTask {
                    var request = Request(action: action, cluster: connector.cluster, connector: connector.name, includeTasks: includeTasks, onlyFailed: onlyFailed)
                    request.bulk = bulk
                    let item: BulkActionAnswer.Item
                    switch await perform(request, by: user) {
                    case .done: item = .init(cluster: connector.cluster, connector: connector.name, result: "done")
                    case .denied(let reason): item = .init(cluster: connector.cluster, connector: connector.name, result: "refused", detail: reason)
                    case .notFound: item = .init(cluster: connector.cluster, connector: connector.name, result: "failed", detail: "gone since the selection was made")
                    case .conflict(let message), .failed(let message): item = .init(cluster: connector.cluster, connector: connector.name, result: "failed", detail: message)
                    case .unauthenticated: item = .init(cluster: connector.cluster, connector: connector.name, result: "refused", detail: "not signed in")
                    }
                    return (index, item)
                }
            }
            for _ in 0..<Self.bulkConcurrency { start() }
            for await (index, item) in group {
                results[index] = item
                start()
            }
        }
        let store = self.store
        Task { await store.refresh() }
        return BulkActionAnswer(action: label, bulk: bulk, dryRun: false, results: results.compactMap { $0 })
    }

    /// The connectors a bulk action takes: those named (`<cluster>/<name>`), else those matching
    /// the filter; refused when empty, over the limit, or naming something that is not there.
    public static func select(_ snapshot: Snapshot, catalog: Catalog, filter: ConnectorFilter, named: [String]?) throws(BulkRefused) -> [ConnectorView] {
        let connectors: [ConnectorView]
        if let named {
            guard filter == ConnectorFilter() else { throw BulkRefused("give either connectors or filters, not both") }
            var seen = Set<String>()
            connectors = try named.filter { seen.insert($0).inserted }.map { key throws(BulkRefused) -> ConnectorView in
                guard let view = snapshot.connectors[key] else { throw BulkRefused("no connector \(key) in the last snapshot (name each as <cluster>/<name>)") }
                return view
            }
        } else {
            guard filter != ConnectorFilter() else {
                throw BulkRefused("the selection is empty: name connectors, or filter them by team, cluster, state, name, class, topic or q")
            }
            if let team = filter.team, catalog.team(named: team) == nil, !snapshot.connectors.values.contains(where: { $0.team == team }) {
                throw BulkRefused("no team \(team) (teams: \(PlanRenderer.abbreviated(catalog.teams.map(\.name))))")
            }
            if let cluster = filter.cluster, snapshot.clusters[cluster] == nil {
                throw BulkRefused("no cluster \(cluster) (clusters: \(snapshot.clusters.keys.sorted().joined(separator: ", ")))")
            }
            if let state = filter.state, !Self.states.contains(state) {
                throw BulkRefused("state must be one of \(Self.states.joined(separator: ", ")) (got '\(state)')")
            }
            connectors = Array(snapshot.connectors(matching: filter))
        }
        guard !connectors.isEmpty else { throw BulkRefused("the selection matches no connector: nothing was done") }
        guard connectors.count <= bulkLimit else {
            throw BulkRefused("the selection has \(connectors.count) connectors; one bulk action takes at most \(bulkLimit): narrow it (team, cluster, state)")
        }
        return connectors
    }

    /// The healths a selection filters by.
    public static let states = ["FAILED", "DEGRADED", "RUNNING", "PAUSED", "STOPPED", "UNASSIGNED", "RESTARTING", "UNKNOWN"]

    public struct BulkRefused: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }
}
