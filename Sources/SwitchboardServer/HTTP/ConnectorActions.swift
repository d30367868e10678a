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
        /// Removes every offset (KIP-875): a source re-reads from the start, a sink from its
        /// consumer's `auto.offset.reset`.
        case resetOffsets = "reset-offsets"
        /// Sets the offsets of the partitions given.
        case alterOffsets = "alter-offsets"

        /// What the user needs on the connector.
        public var capability: Capability {
            switch self {
            case .restart, .pause, .resume, .stop, .restartTask: .operate
            case .resetOffsets, .alterOffsets: .changeOffsets
            }
        }

        public var changesOffsets: Bool { capability == .changeOffsets }
    }

    public struct Request: Sendable {
        public var action: Action
        public var cluster: String
        public var connector: String
        public var task: Int?
        public var includeTasks: Bool
        public var onlyFailed: Bool
        /// The offsets to set (`alter-offsets`).
        public var offsets: ConnectorOffsets?

        public init(action: Action, cluster: String, connector: String, task: Int? = nil, includeTasks: Bool = false, onlyFailed: Bool = false, offsets: ConnectorOffsets? = nil) {
            self.action = action
            self.cluster = cluster
            self.connector = connector
            self.task = task
            self.includeTasks = includeTasks
            self.onlyFailed = onlyFailed
            self.offsets = offsets
        }

        /// How the action reads in the audit log (`restart includeTasks onlyFailed`).
        var label: String {
            var parts = [action.rawValue]
            if includeTasks { parts.append("includeTasks") }
            if onlyFailed { parts.append("onlyFailed") }
            return parts.joined(separator: " ")
        }
    }

    /// What an offsets change did, as the audit row keeps it.
    public struct OffsetsChange: Sendable, Equatable, Codable {
        public var before: ConnectorOffsets
        public var after: ConnectorOffsets?
        /// Connect's message.
        public var message: String
    }

    public enum Outcome: Sendable, Equatable {
        case done(OffsetsChange?)
        case unauthenticated
        /// Refused, saying which role the action needs and which the user has.
        case denied(String)
        case notFound
        /// Not possible in the connector's state (offsets of a connector that is not STOPPED).
        case conflict(String)
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
    /// How long one offsets read or write may take (see `changeOffsets`).
    static let offsetsTimeout: Duration = .seconds(90)

    var retry = RetryPolicy(maxAttempts: 12, initialDelay: .milliseconds(250), maxDelay: .seconds(4), maxElapsed: .seconds(40))

    public func perform(_ request: Request, by user: User?) async -> Outcome {
        let who = user?.name ?? "anonymous"
        let entry = { (outcome: AuditEntry.Outcome, detail: String?) in
            AuditEntry(user: who, action: request.label, cluster: request.cluster, connector: request.connector, task: request.task, outcome: outcome, detail: detail)
        }
        guard let user else {
            await record(entry(.denied, "not signed in"))
            return .unauthenticated
        }
        guard let connector = store.current.connectors["\(request.cluster)/\(request.connector)"] else {
            await record(entry(.failed, "no such connector in the last snapshot"))
            return .notFound
        }
        if request.action == .restartTask {
            guard let task = request.task, connector.tasks.contains(where: { $0.id == task }) else {
                await record(entry(.failed, "no task \(request.task.map(String.init) ?? "(none)") in the last snapshot"))
                return .notFound
            }
        }
        let decision = permissions.decide(request.action.capability, user, on: connector)
        guard decision.allowed else {
            let reason = "\(request.action.rawValue) on cluster \(request.cluster) \(decision.reason)"
            await record(entry(.denied, reason))
            return .denied(reason)
        }
        if request.action.changesOffsets {
            return await changeOffsets(request, entry: entry)
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
                case .resetOffsets, .alterOffsets: return  // handled above
                }
            }
        } catch {
            return await failed(error, entry(.failed, nil))
        }
        await record(entry(.succeeded, nil))
        refresh()
        return .done(nil)
    }

    /// A restart of the auto-restart controller: no user and no permission check (the catalog
    /// enabled it), the connector with its failed tasks, audited as the controller's. Retried
    /// for a few seconds only: the next look retries what fails.
    func restartAsController(_ connector: ConnectorView, number: Int, decidedAt: Date) async {
        let entry = { (outcome: AuditEntry.Outcome, detail: String?) in
            AuditEntry(at: decidedAt, user: AutoRestarter.user, action: "restart includeTasks onlyFailed", cluster: connector.cluster, connector: connector.name, outcome: outcome, detail: detail)
        }
        let what = "auto-restart \(number) of \(connector.autoRestart.maxRestarts): the connector was \(connector.health)"
        do {
            let client = try connections.client(connector.cluster)
            try await RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(250), maxDelay: .seconds(2), maxElapsed: .seconds(8)).run {
                try await client.restart(connector.name, includeTasks: true, onlyFailed: true)
            }
        } catch {
            _ = await failed(error, entry(.failed, what))
            return
        }
        await record(entry(.succeeded, what))
    }

    /// Reset or alter: only while Connect itself says the connector is STOPPED (asked now, not
    /// taken from the snapshot, which can be a poll behind a stop); the audit row keeps the
    /// offsets before and after.
    func changeOffsets(_ request: Request, entry: (AuditEntry.Outcome, String?) -> AuditEntry) async -> Outcome {
        var before: ConnectorOffsets?
        var row = entry(.succeeded, nil)
        do {
            // Connect lists a sink's offsets through its consumer group: on a busy worker that was
            // seen to take over 30 s. Offsets get the write timeout that apply uses.
            var client = try connections.client(request.cluster)
            client.requestTimeout = Self.offsetsTimeout
            let state = try await client.status(of: request.connector).connector.state
            guard state == .stopped else {
                let message = "\(request.connector) is \(state): offsets can be reset or altered only while it is STOPPED. Stop it, change the offsets, then resume it."
                await record(entry(.failed, message))
                return .conflict(message)
            }
            before = try await client.readOffsets(of: request.connector)
            let message: String
            switch request.action {
            case .alterOffsets:
                guard let offsets = request.offsets else {
                    await record(entry(.failed, "no offsets given"))
                    return .conflict("alter-offsets needs the offsets to set")
                }
                // Offsets are shown scrubbed: an edited copy can carry the mask back.
                guard !offsets.contains(Scrubber.mask) else {
                    let message = "The offsets hold \(Scrubber.mask), the mask of a value that is not shown: writing it would replace the real value. Write those offsets in full, or leave their partitions out."
                    await record(entry(.failed, message))
                    return .conflict(message)
                }
                message = try await retry.run { try await client.alterOffsets(of: request.connector, to: offsets) }
            default:
                message = try await retry.run { try await client.resetOffsets(of: request.connector) }
            }
            // The write is done; a failed read-back is said in the row, not turned into a failure.
            let after: ConnectorOffsets?
            do {
                after = try await client.readOffsets(of: request.connector)
            } catch {
                after = nil
                row.detail = Scrubber.scrub("done (\(message)); the offsets after could not be read: \((error as? ConnectError)?.shortDescription ?? "\(error)")")
            }
            row.detail = row.detail ?? Scrubber.scrub(message)
            row.offsetsBefore = before?.json
            row.offsetsAfter = after?.json
            await record(row)
            refresh()
            let scrub = { (text: String) in Scrubber.scrub(text) }
            return .done(OffsetsChange(before: (before ?? ConnectorOffsets(offsets: [])).mapStrings(scrub), after: after?.mapStrings(scrub), message: Scrubber.scrub(message)))
        } catch {
            var failure = entry(.failed, nil)
            failure.offsetsBefore = before?.json
            return await failed(error, failure)
        }
    }

    /// Records and returns a failure. Connect's answer to an action names the connector and why
    /// (not found, rebalancing, timed out, not stopped); it does not carry config values, and
    /// goes through the scrubber all the same.
    /// `row` is recorded as failed, with Connect's message after any detail it already has.
    func failed(_ error: any Error, _ row: AuditEntry) async -> Outcome {
        let message = Scrubber.scrub((error as? ConnectError)?.description ?? "\(error)")
        var row = row
        row.outcome = .failed
        row.detail = [row.detail, message].compactMap { $0 }.joined(separator: "; ")
        await record(row)
        return .failed(message)
    }

    func refresh() {
        let store = self.store
        Task { await store.refresh() }
    }

    func record(_ entry: AuditEntry) async {
        let team = store.current.connectors["\(entry.cluster)/\(entry.connector)"]?.team
        store.metrics.recordAction(cluster: entry.cluster, team: team, action: entry.action.split(separator: " ").first.map(String.init) ?? entry.action, outcome: entry.outcome.rawValue)
        do {
            try await audit.record(entry)
        } catch {
            logger.error("Could not write the audit log", metadata: ["error": "\(error)"])
        }
    }
}
