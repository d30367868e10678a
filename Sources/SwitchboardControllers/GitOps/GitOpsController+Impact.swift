import Foundation
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStorage

/// Under `policy.impact.crossTeam: require-approval`, a change that stops or changes the input
/// of other teams' connectors waits until an owner of each of those teams approves it for the
/// commit served (on the GitOps page or `POST /api/v1/gitops/clusters/{c}/approvals`); the
/// commit's other changes apply meanwhile. Approvals are stored (controller state, by commit),
/// so every replica sees them and a takeover keeps them; a new commit needs new approvals.
extension GitOpsController {
    /// The key prefix of a commit's approvals.
    static func approvalPrefix(commit: String) -> String { "impact-approval/\(commit)/" }

    static func approvalKey(commit: String, cluster: String, connector: String, team: String) -> String {
        "\(approvalPrefix(commit: commit))\(cluster)/\(team)/\(connector)"
    }

    /// The approvals given for `commit`, by `cluster/connector`. A document that does not decode
    /// is an error naming its key (a lost approval would hold a change; a made-up one would apply it).
    func approvals(commit: String) async throws -> [String: [HeldChange.Approval]] {
        var found: [String: [HeldChange.Approval]] = [:]
        for (key, json) in try await audit.storage.controllerState(prefix: Self.approvalPrefix(commit: commit)) {
            let approval: StoredApproval
            do {
                approval = try JSONDecoder.controllerState.decode(StoredApproval.self, from: Data(json.utf8))
            } catch {
                throw StorageError("the approval stored as \(key) cannot be read: \(error)")
            }
            found["\(approval.cluster)/\(approval.connector)", default: []].append(.init(team: approval.team, user: approval.user, at: approval.at))
        }
        return found
    }

    struct StoredApproval: Codable {
        var cluster: String
        var connector: String
        var team: String
        var user: String
        var at: Date
    }

    /// Splits a cluster's changes into those that may apply and those held for approval, from
    /// the impact of the whole plan over this cluster's fresh read and the snapshot's other
    /// clusters (whose sinks may read the same broker).
    func holdForApproval(_ changes: [Change], cluster: String, live: [LiveConnector], catalog: Catalog, connections: ClusterConnections,
                         commit: String) async throws -> (apply: [Change], held: [HeldChange]) {
        guard catalog.policy.crossTeamImpact == .requireApproval, !changes.isEmpty else { return (changes, []) }
        var everywhere: [String: [LiveConnector]] = [:]
        for view in store.current.connectors.values where view.cluster != cluster {
            everywhere[view.cluster, default: []].append(LiveConnector(name: view.name, config: view.config, state: view.state))
        }
        everywhere[cluster] = live
        let plan = Plan(clusters: [ClusterPlan(cluster: cluster, changes: changes, unchanged: [], unmanaged: [])])
        let impact = await ImpactReader(connections: connections).assess(plan, live: everywhere, catalog: catalog)
        let approvals = try await approvals(commit: commit)
        var apply: [Change] = [], held: [HeldChange] = []
        for change in changes {
            let entries = impact.crossTeam.filter { $0.cluster == cluster && $0.connector == change.connector }
            let teams = Array(Set(entries.flatMap { $0.readers.compactMap(\.team) })).sorted()
            let given = (approvals["\(cluster)/\(change.connector)"] ?? []).filter { teams.contains($0.team) }
            guard !teams.isEmpty, teams.contains(where: { team in !given.contains { $0.team == team } }) else {
                apply.append(change)
                continue
            }
            let lines = PlanRenderer.impactLines(Plan(clusters: [], impact: PlanImpact(entries: entries))).map { Scrubber.scrub($0) }
            held.append(HeldChange(connector: change.connector, action: change.action.rawValue, commit: commit, teams: teams, approvals: given, impact: lines))
        }
        return (apply, held)
    }

    /// Records `user`'s approval of a held change for `team`, for the commit served, and starts a
    /// sync. The caller has checked that `user` owns `team`; this checks that
    /// the change is held and waits for that team.
    public func approve(cluster: String, connector: String, team: String, by user: String) async throws(ApprovalRefused) {
        guard let commit = status.current?.hash else { throw ApprovalRefused(message: "no commit is served yet", conflict: true) }
        guard let held = status.cluster(cluster)?.held?.first(where: { $0.connector == connector && $0.commit == commit }) else {
            throw ApprovalRefused(message: "no change of \(connector) on cluster \(cluster) waits for approval (GET /api/v1/gitops lists what is held)", conflict: true)
        }
        guard held.teams.contains(team) else {
            throw ApprovalRefused(message: "team \(team) is not affected by the held change of \(connector) (it waits for \(held.waitingFor.joined(separator: ", ")))", conflict: false)
        }
        let approval = StoredApproval(cluster: cluster, connector: connector, team: team, user: user, at: Date())
        do {
            let json = String(decoding: try JSONEncoder.controllerState.encode(approval), as: UTF8.self)
            try await audit.storage.saveControllerState([Self.approvalKey(commit: commit, cluster: cluster, connector: connector, team: team): json], deleting: [])
            // A sync, not an apply at the approver's request: the approval lets this change
            // through; the cluster's mode still decides what applies (manual: an admin does).
            try await wake()
        } catch {
            throw ApprovalRefused(message: Scrubber.scrub("the approval could not be recorded: \(error)"), conflict: false, unavailable: true)
        }
        state.withLockedValue { status in
            guard let index = status.clusters.firstIndex(where: { $0.cluster == cluster }),
                  let heldIndex = status.clusters[index].held?.firstIndex(where: { $0.connector == connector }) else { return }
            status.clusters[index].held?[heldIndex].approvals.append(.init(team: team, user: user, at: approval.at))
        }
    }

    public struct ApprovalRefused: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// Nothing waits for it (409), rather than a request that names the wrong team (400).
        public var conflict: Bool
        /// The storage could not record it (503).
        public var unavailable = false
        public var description: String { message }
    }
}
