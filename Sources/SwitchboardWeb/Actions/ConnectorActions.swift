import ConnectClient
import Foundation
import Logging
import Reconciler
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardCore
import SwitchboardSnapshot
import SwitchboardStorage

/// The actions a team can take on its connectors, each authorised, audited, and sent to Connect
/// at once through the Reconciler's ``ConnectorOperations``; the snapshot is refreshed right after.
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
        /// The bulk action it is part of: its audit row says so, and the snapshot is read again
        /// once after the whole selection, not after each connector.
        public var bulk: String?

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
    public typealias OffsetsChange = SwitchboardAPI.OffsetsChange

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
    /// Retried as a person waits (``ConnectorOperations/forPeople``).
    let operations: ConnectorOperations
    let permissions: Permissions
    let audit: AuditLog
    let logger: Logger
    /// Told the key of each connector an action changed (pages forget what they read of it).
    var changed: @Sendable (String) -> Void = { _ in }

    public func perform(_ request: Request, by user: User?) async -> Outcome {
        let who = user?.name ?? "anonymous"
        let entry = { (outcome: AuditEntry.Outcome, detail: String?) in
            AuditEntry(user: who, action: request.label, cluster: request.cluster, connector: request.connector, task: request.task, outcome: outcome,
                       detail: [request.bulk.map { "bulk \($0)" }, detail].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
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
        let command: ConnectorOperations.Command
        switch request.action {
        case .resetOffsets, .alterOffsets: return await changeOffsets(request, entry: entry)
        case .restart: command = .restart(includeTasks: request.includeTasks, onlyFailed: request.onlyFailed)
        case .pause: command = .pause
        case .resume: command = .resume
        case .stop: command = .stop
        case .restartTask:
            guard let task = request.task else { return .notFound }  // checked above, with its audit row
            command = .restartTask(task)
        }
        do {
            try await operations.run(command, on: request.connector, cluster: request.cluster)
        } catch {
            return await failed(error, entry(.failed, nil))
        }
        await record(entry(.succeeded, nil))
        if request.action == .restart || request.action == .restartTask {
            await forgetAutoRestarts(of: connector)
        }
        refresh(request)
        return .done(nil)
    }

    /// A person restarted the connector: the auto-restart controller's count and any give-up
    /// start afresh (its stored track goes; the controller reads it before each decision).
    func forgetAutoRestarts(of connector: ConnectorView) async {
        guard connector.restartStatus != nil else { return }
        do {
            try await RestartMemory(storage: audit.storage).forget(connector.key)
        } catch {
            logger.warning("Cannot clear the auto-restart count after a restart by hand", metadata: ["connector": "\(connector.key)", "error": "\(error)"])
        }
    }

    /// Reset or alter: only while Connect itself says the connector is STOPPED (asked now, not
    /// taken from the snapshot, which can be a poll behind a stop); the audit row keeps the
    /// offsets before and after.
    func changeOffsets(_ request: Request, entry: (AuditEntry.Outcome, String?) -> AuditEntry) async -> Outcome {
        var before: ConnectorOffsets?
        var row = entry(.succeeded, nil)
        do {
            // Offsets get the write timeout that apply uses (ConnectorOperations.offsetsTimeout).
            let state = try await operations.state(of: request.connector, cluster: request.cluster)
            guard state == .stopped else {
                let message = "\(request.connector) is \(state): offsets can be reset or altered only while it is STOPPED. Stop it, change the offsets, then resume it."
                await record(entry(.failed, message))
                return .conflict(message)
            }
            before = try await operations.readOffsets(of: request.connector, cluster: request.cluster)
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
                message = try await operations.alterOffsets(of: request.connector, cluster: request.cluster, to: offsets)
            default:
                message = try await operations.resetOffsets(of: request.connector, cluster: request.cluster)
            }
            // The write is done; a failed read-back is said in the row, not turned into a failure.
            let after: ConnectorOffsets?
            do {
                after = try await operations.readOffsets(of: request.connector, cluster: request.cluster)
            } catch {
                after = nil
                row.detail = Scrubber.scrub("done (\(message)); the offsets after could not be read: \((error as? ConnectError)?.shortDescription ?? "\(error)")")
            }
            row.detail = row.detail ?? Scrubber.scrub(message)
            row.offsetsBefore = before?.json
            row.offsetsAfter = after?.json
            await record(row)
            refresh(request)
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

    /// After an action: pages read the connector afresh, and the snapshot is read again now
    /// (after a bulk action's last connector only).
    func refresh(_ request: Request) {
        changed(ConnectorView.key(cluster: request.cluster, name: request.connector))
        guard request.bulk == nil else { return }
        let store = self.store
        Task { await store.refresh() }
    }

    func record(_ entry: AuditEntry) async {
        await audit.note(entry, logger: logger)
    }
}

extension String {
    /// nil for "", the string otherwise.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
