import Foundation
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardCore
import SwitchboardSnapshot

/// Maintenance of a whole cluster (platform admins): its RUNNING connectors are paused and,
/// when it ends, exactly those are resumed (not those paused before); meanwhile the auto-restart
/// controller and GitOps hold off there, and every page says so. Each step audited.
struct Maintenance {
    let dependencies: ServerDependencies

    struct Refused: Error {
        var status: Int
        var message: String
    }

    func start(_ cluster: String, by user: User) async throws(Refused) -> MaintenanceAnswer {
        try await check(cluster, user, action: "maintenance-start")
        guard !dependencies.maintenance.isInMaintenance(cluster) else {
            throw Refused(status: 409, message: "cluster \(cluster) is already in maintenance (since \(dependencies.maintenance.current[cluster]?.startedAt.formatted(.iso8601) ?? "?"))")
        }
        let running = dependencies.store.current.connectors.values.filter { $0.cluster == cluster && $0.state == "RUNNING" }.sorted { $0.name < $1.name }
        let window = MaintenanceWindow(cluster: cluster, user: user.name, startedAt: Date(), paused: running.map(\.name))
        do {
            // Stored before the first pause: a stop midway still knows what to resume.
            try await dependencies.maintenance.open(window)
        } catch {
            throw Refused(status: 503, message: Scrubber.scrub("the maintenance window could not be recorded, so nothing was paused: \(error)"))
        }
        let actions = running.isEmpty ? nil : await dependencies.actions.performBulk(.pause, on: running, dryRun: false, by: user)
        await audit(user, "maintenance-start", cluster, .succeeded, "paused \(actions?.done ?? 0) of \(running.count) running connector(s)"
                    + (actions.map { " (bulk \($0.bulk))" } ?? "") + "; auto-restart and GitOps hold off until it ends")
        return MaintenanceAnswer(window: window, actions: actions)
    }

    func end(_ cluster: String, by user: User) async throws(Refused) -> MaintenanceAnswer {
        try await check(cluster, user, action: "maintenance-end")
        guard let window = dependencies.maintenance.current[cluster] else { throw Refused(status: 409, message: "cluster \(cluster) is not in maintenance") }
        let snapshot = dependencies.store.current
        let paused = window.paused.compactMap { snapshot.connectors[ConnectorView.key(cluster: cluster, name: $0)] }
        let actions = paused.isEmpty ? nil : await dependencies.actions.performBulk(.resume, on: paused, dryRun: false, by: user)
        do {
            try await dependencies.maintenance.close(cluster)
        } catch {
            throw Refused(status: 503, message: Scrubber.scrub("resumed, but the end of maintenance could not be recorded (try again): \(error)"))
        }
        let gone = window.paused.count - paused.count
        await audit(user, "maintenance-end", cluster, .succeeded, "resumed \(actions?.done ?? 0) of the \(window.paused.count) connector(s) it paused"
                    + (gone > 0 ? " (\(gone) gone since)" : "") + (actions.map { " (bulk \($0.bulk))" } ?? ""))
        return MaintenanceAnswer(window: window, actions: actions)
    }

    func check(_ cluster: String, _ user: User, action: String) async throws(Refused) {
        guard dependencies.catalog.cluster(named: cluster) != nil else { throw Refused(status: 404, message: "no cluster \(cluster) in the catalog") }
        guard dependencies.permissions.isAdmin(user) else {
            await audit(user, action, cluster, .denied, "needs platform admin (it pauses every team's connectors on the cluster)")
            throw Refused(status: 403, message: "maintenance of a cluster needs a platform admin (it pauses every team's connectors on it)")
        }
    }

    func audit(_ user: User, _ action: String, _ cluster: String, _ outcome: AuditEntry.Outcome, _ detail: String) async {
        await dependencies.audit.note(AuditEntry(user: user.name, action: action, cluster: cluster, connector: "-", outcome: outcome, detail: detail), logger: dependencies.logger)
    }
}
