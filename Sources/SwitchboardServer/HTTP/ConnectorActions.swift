import ConnectClient
import Foundation
import Logging
import Reconciler
import SwitchboardCore

/// The actions a team can take on its connectors, each authorised, audited, and sent to Connect
/// at once; the snapshot is refreshed right after.
public struct ConnectorActions: Sendable {
    public enum Action: String, Sendable, CaseIterable, Codable {
        case restart, pause, resume, stop
        case restartTask = "restart-task"

        /// What the user needs on the connector.
        public var capability: Capability { .operate }
    }

    public struct Request: Sendable {
        public var action: Action
        public var cluster: String
        public var connector: String
        public var task: Int?
        public var includeTasks: Bool
        public var onlyFailed: Bool

        public init(action: Action, cluster: String, connector: String, task: Int? = nil, includeTasks: Bool = false, onlyFailed: Bool = false) {
            self.action = action
            self.cluster = cluster
            self.connector = connector
            self.task = task
            self.includeTasks = includeTasks
            self.onlyFailed = onlyFailed
        }

        /// How the action reads in the audit log (`restart includeTasks onlyFailed`).
        var label: String {
            var parts = [action.rawValue]
            if includeTasks { parts.append("includeTasks") }
            if onlyFailed { parts.append("onlyFailed") }
            return parts.joined(separator: " ")
        }
    }

    public enum Outcome: Sendable, Equatable {
        case done
        case unauthenticated
        /// Refused, saying which role the action needs and which the user has.
        case denied(String)
        case notFound
        case failed(String)
    }

    let store: SnapshotStore
    let connections: ClusterConnections
    let permissions: Permissions
    let audit: AuditLog
    let logger: Logger
    /// Actions are idempotent, so what Connect calls retryable (a rebalance in progress, a worker
    /// behind on the config topic, a worker that is still starting) is retried for up to about
    /// 35 s: a worker was seen answering 409 "stale configuration" to a task restart for over
    /// 16 s right after an apply on a busy machine, and a person would rather wait than retry.
    var retry = RetryPolicy(maxAttempts: 12, initialDelay: .milliseconds(250), maxDelay: .seconds(4), maxElapsed: .seconds(40))

    public func perform(_ request: Request, by user: User?) async -> Outcome {
        let who = user?.name ?? "anonymous"
        let entry = { (outcome: AuditEntry.Outcome, detail: String?) in
            AuditEntry(user: who, action: request.label, cluster: request.cluster, connector: request.connector, task: request.task, outcome: outcome, detail: detail)
        }
        guard let user else {
            record(entry(.denied, "not signed in"))
            return .unauthenticated
        }
        guard let connector = store.current.connectors["\(request.cluster)/\(request.connector)"] else {
            record(entry(.failed, "no such connector in the last snapshot"))
            return .notFound
        }
        if request.action == .restartTask {
            guard let task = request.task, connector.tasks.contains(where: { $0.id == task }) else {
                record(entry(.failed, "no task \(request.task.map(String.init) ?? "(none)") in the last snapshot"))
                return .notFound
            }
        }
        let decision = permissions.decide(request.action.capability, user, on: connector)
        guard decision.allowed else {
            let reason = "\(request.action.rawValue) on cluster \(request.cluster) \(decision.reason)"
            record(entry(.denied, reason))
            return .denied(reason)
        }
        do {
            let client = try connections.client(request.cluster)
            try await retry.run {
                switch request.action {
                case .restart: try await client.restart(request.connector, includeTasks: request.includeTasks, onlyFailed: request.onlyFailed)
                case .pause: try await client.pause(request.connector)
                case .resume: try await client.resume(request.connector)
                case .stop: try await client.stop(request.connector)
                case .restartTask:
                    guard let task = request.task else { return }  // checked above
                    try await client.restartTask(request.connector, task: task)
                }
            }
        } catch {
            // Connect's answer to an action names the connector and why (not found, rebalancing,
            // timed out); it does not carry config values.
            let message = Scrubber.scrub((error as? ConnectError)?.description ?? "\(error)")
            record(entry(.failed, message))
            return .failed(message)
        }
        record(entry(.succeeded, nil))
        let store = self.store
        Task { await store.refresh() }
        return .done
    }

    func record(_ entry: AuditEntry) {
        let team = store.current.connectors["\(entry.cluster)/\(entry.connector)"]?.team
        store.metrics.recordAction(cluster: entry.cluster, team: team, action: entry.action.split(separator: " ").first.map(String.init) ?? entry.action, outcome: entry.outcome.rawValue)
        do {
            try audit.record(entry)
        } catch {
            logger.error("Could not write the audit log", metadata: ["error": "\(error)"])
        }
    }
}
