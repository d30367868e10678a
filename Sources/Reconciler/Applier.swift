import ConnectClient
import Foundation
import Outbound
import SwitchboardCore

/// Carries out a ``Plan`` against the clusters.
///
/// Before the first write, two guards: a plan that deletes more connectors than the policy's
/// `maxDeletesPerApply` is refused (unless ``Options/allowMassDelete``), and every connector
/// to create or update is validated by Connect itself (`PUT /connector-plugins/{class}/config/validate`);
/// any problem means nothing is written. Writes run per cluster with the concurrency its
/// ``WriteWindow`` finds as it goes (or a pinned one), one task per connector (so writes to one
/// connector are serialised). A write that Connect answers with a retryable error (409 during a rebalance, a 500
/// saying a rebalance is expected, its 90 s "Request timed out") is retried with backoff, but only
/// after re-reading the connector: a timed-out request may have completed. After the writes, each
/// cluster is polled with its bulk call until every touched connector reaches its desired state,
/// fails, or the wait times out.
public struct Applier: Sendable {
    public struct Options: Sendable {
        /// Writes in flight at once on each cluster: adaptive within a ceiling, or pinned.
        public var writes: WriteWindow.Mode
        /// Configs validated by Connect at once before the first write (reads, no rebalance).
        public var validationParallelism = 8
        /// The deadline of one write request. Connect answers a write it could not finish with
        /// its own 500 "Request timed out" after 90 s, and the leader queues writes, so a write
        /// may wait much longer than a read; reads keep the client's timeout.
        public var writeTimeout: Duration
        /// How long to wait for touched connectors to reach their desired state.
        public var waitTimeout: Duration
        public var retry: RetryPolicy
        /// How often the bulk status call is made while waiting.
        public var pollInterval: Duration
        /// How long a RUNNING connector with no task configs may stay so before that counts as its
        /// steady state (most connectors create tasks a moment after they start; a few have none).
        public var emptyTaskGrace: Duration
        /// How long a failure must persist to count. Right after an update, status still shows the
        /// old failed tasks until Connect restarts them (a rebalance later).
        public var failureGrace: Duration
        /// Apply even when the plan deletes more than the policy's `maxDeletesPerApply`.
        public var allowMassDelete: Bool
        /// How long a cluster may stay unreachable while waiting before its changes fail.
        public var unreachableGrace: Duration
        /// Asked before each write and each round of the wait: true once the process is stopping
        /// (a server told to stop). Writes not yet sent are not sent, and the wait ends at once;
        /// each such change ends ``Outcome/Result/interrupted(_:)`` with what is known.
        public var stopping: @Sendable () -> Bool = { false }

        public init(writes: WriteWindow.Mode = .standard, writeTimeout: Duration = .seconds(90), waitTimeout: Duration = .seconds(180), retry: RetryPolicy = RetryPolicy(), pollInterval: Duration = .milliseconds(500), emptyTaskGrace: Duration = .seconds(15),
                    failureGrace: Duration = .seconds(30), allowMassDelete: Bool = false, unreachableGrace: Duration = HTTPPolicy.defaultTimeout) {
            self.writes = writes
            self.writeTimeout = writeTimeout
            self.waitTimeout = waitTimeout
            self.retry = retry
            self.pollInterval = pollInterval
            self.emptyTaskGrace = emptyTaskGrace
            self.failureGrace = failureGrace
            self.allowMassDelete = allowMassDelete
            self.unreachableGrace = unreachableGrace
        }
    }

    /// How one change ended.
    public struct Outcome: Sendable {
        public enum Result: Sendable, Equatable {
            /// Written, and the connector reached its desired state (or is gone, for a delete).
            case applied
            /// Connect refused the write, or the connector failed; the message says why.
            case failed(String)
            /// Written, but the desired state was not reached in time; the last state seen.
            case timedOut(lastState: String?)
            /// The process stopped first; what is known (not written, written but not yet in
            /// its state, or cut off in flight).
            case interrupted(String)
        }
        public var change: Change
        public var result: Result

        /// The result in one word ("applied", "failed", "timed-out", "interrupted") and what
        /// else is known, as apply's JSON and the audit log record it.
        public var recorded: (result: String, detail: String?) {
            switch result {
            case .applied: ("applied", nil)
            case .failed(let reason): ("failed", reason)
            case .timedOut(let state): ("timed-out", "did not reach \(change.toState?.rawValue ?? "its state") in time; last seen: \(state ?? "no status")")
            case .interrupted(let what): ("interrupted", what)
            }
        }
    }

    /// Something worth telling the user while applying.
    public enum Event: Sendable {
        case writing(Change)
        case retrying(Change, reason: String, attempt: Int)
        case finished(Outcome)
        /// How the writes to one cluster go: after about every twentieth write, and when the
        /// concurrency changes.
        case progress(WriteProgress)
        /// The writes to one cluster are over.
        case written(WriteSummary)
        case waiting(count: Int)
    }

    /// Writes done on one cluster so far.
    public struct WriteProgress: Sendable {
        public var cluster: String
        public var done: Int
        public var total: Int
        /// Writes in flight allowed now.
        public var concurrency: Int
        /// Time left at the rate so far; nil before the first write ended.
        public var estimatedLeft: Duration?
    }

    /// The writes to one cluster: how long they took and how the concurrency went.
    public struct WriteSummary: Sendable, Codable {
        public var cluster: String
        public var writes: Int
        public var seconds: Double
        public var adaptive: Bool
        public var initialConcurrency: Int
        public var finalConcurrency: Int
        public var peakConcurrency: Int
        public var steps: [WriteWindow.Step]
    }

    public let connections: ClusterConnections
    public let options: Options

    public init(connections: ClusterConnections, options: Options = Options()) {
        self.connections = connections
        self.options = options
    }

    /// Runs ``preflight(_:catalog:)``, then applies every change of `plan` and returns how each
    /// ended, in plan order.
    public func apply(_ plan: Plan, catalog: Catalog, events: @escaping @Sendable (Event) -> Void = { _ in }) async throws(Refusal) -> [Outcome] {
        try await preflight(plan, catalog: catalog)
        return await write(plan, catalog: catalog, events: events)
    }

    /// The writes and the wait, for a plan that passed ``preflight(_:catalog:)`` (a caller that
    /// asks for confirmation in between). Every message from Connect is scrubbed, also of the
    /// values of the change's secret keys.
    public func write(_ plan: Plan, catalog: Catalog, events: @escaping @Sendable (Event) -> Void = { _ in }) async -> [Outcome] {
        let secrets = SecretMatcher(policy: catalog.policy)
        return await write(plan, scrub: { text, change in secrets.scrub(text, config: change.config ?? [:]) }, events: events)
    }

    func write(_ plan: Plan, scrub: @escaping @Sendable (String, Change) -> String, events: @escaping @Sendable (Event) -> Void) async -> [Outcome] {
        let changes = plan.changes
        // 1. Writes, per cluster, as many in flight as the cluster's window allows.
        let clusters = Dictionary(grouping: changes.indices) { changes[$0].cluster }
        var written: [Int: Outcome?] = [:]
        await withTaskGroup(of: [(Int, Outcome?)].self) { group in
            for (cluster, indices) in clusters {
                group.addTask {
                    await writeAll(cluster: cluster, indices.map { ($0, changes[$0]) }, scrub: scrub, events: events)
                }
            }
            for await results in group {
                for (index, outcome) in results { written[index] = outcome }
            }
        }
        var outcomes: [Int: Outcome] = [:]
        for (index, outcome) in written {
            if let outcome { outcomes[index] = outcome }
        }
        // 2. Wait for the desired state, one bulk read per cluster per round.
        let pending = changes.indices.filter { outcomes[$0] == nil }
        if !pending.isEmpty { events(.waiting(count: pending.count)) }
        let byCluster = Dictionary(grouping: pending) { changes[$0].cluster }
        await withTaskGroup(of: [(Int, Outcome)].self) { group in
            for (cluster, indices) in byCluster {
                group.addTask {
                    await waitForDesiredState(cluster: cluster, changes: indices.map { ($0, changes[$0]) }, scrub: scrub, events: events)
                }
            }
            for await results in group {
                for (index, outcome) in results { outcomes[index] = outcome }
            }
        }
        return changes.indices.map { outcomes[$0]! }
    }

    // MARK: waiting

    /// Polls the cluster's bulk status until every change has reached its end, failed (after
    /// `failureGrace`, and after one restart for an update), or the wait ran out. A cluster
    /// that stays unreachable for `unreachableGrace` fails what remains.
    func waitForDesiredState(cluster: String, changes: [(Int, Change)], scrub: @Sendable (String, Change) -> String, events: @Sendable (Event) -> Void) async -> [(Int, Outcome)] {
        var rounds = WaitRounds(remaining: changes, options: options)
        var done: [(Int, Outcome)] = []
        var unreachableSince: ContinuousClock.Instant?
        var lastReadError: String?
        let deadline = rounds.started + options.waitTimeout
        func finish(_ index: Int, _ change: Change, _ result: Outcome.Result) {
            let outcome = Outcome(change: change, result: result)
            events(.finished(outcome))
            done.append((index, outcome))
        }
        while !rounds.remaining.isEmpty {
            let all: [String: ConnectorSnapshot]
            do {
                all = try await connections.client(cluster).connectors()
                unreachableSince = nil
            } catch {
                // A failed read is tried again next round, unless the cluster stays unreachable.
                let since = unreachableSince ?? ContinuousClock.now
                unreachableSince = since
                lastReadError = Self.describe(error)
                if ContinuousClock.now - since >= options.unreachableGrace {
                    for (index, change) in rounds.remaining {
                        finish(index, change, .failed(scrub("cluster \(cluster) stayed unreachable for \(HTTPPolicy.seconds(options.unreachableGrace)) while waiting for the desired state: \(lastReadError ?? "")", change)))
                    }
                    rounds.remaining = []
                    break
                }
                if ContinuousClock.now >= deadline || options.stopping() { break }
                try? await Task.sleep(for: options.pollInterval)  // only cancellation ends a sleep early
                continue
            }
            let (finished, restart) = rounds.judge(all, now: ContinuousClock.now)
            for (index, change, result) in finished {
                if case .failed(let reason) = result {
                    finish(index, change, .failed(scrub(reason, change)))
                } else {
                    finish(index, change, result)
                }
            }
            for name in restart {
                // Best effort: if the restart fails, the failure shows in the next rounds' status.
                _ = try? await options.retry.run { try await connections.client(cluster).restart(name, includeTasks: true, onlyFailed: true) }
            }
            if rounds.remaining.isEmpty || ContinuousClock.now >= deadline || options.stopping() { break }
            try? await Task.sleep(for: options.pollInterval)  // only cancellation ends a sleep early
        }
        if options.stopping() || Task.isCancelled {
            for (index, change) in rounds.remaining {
                let last = rounds.lastStates[change.connector].map { "last seen \($0)" } ?? "no status seen yet"
                finish(index, change, .interrupted("written; the wait for its state was cut short by the stop (\(last))"))
            }
            return done
        }
        for (index, change) in rounds.remaining {
            let last = rounds.lastStates[change.connector] ?? lastReadError.map { "no status; the last read failed: \(scrub($0, change))" }
            finish(index, change, .timedOut(lastState: last))
        }
        return done
    }

    /// What the wait remembers between rounds: which changes remain, the last state seen, since
    /// when each has been failing, and which were restarted once.
    struct WaitRounds {
        var remaining: [(Int, Change)]
        let options: Options
        let started = ContinuousClock.now
        var lastStates: [String: String] = [:]
        var failingSince: [String: ContinuousClock.Instant] = [:]
        /// Connectors restarted once because their failure outlived an update (Connect does not
        /// always restart a failed task whose config changed).
        var restarted: Set<String> = []

        /// One round over a bulk status: the changes that reached their end (failures not yet
        /// scrubbed), and the connectors to restart once.
        mutating func judge(_ all: [String: ConnectorSnapshot], now: ContinuousClock.Instant) -> (finished: [(Int, Change, Outcome.Result)], restart: [String]) {
            var finished: [(Int, Change, Outcome.Result)] = []
            var restart: [String] = []
            var stillWaiting: [(Int, Change)] = []
            for (index, change) in remaining {
                let snapshot = all[change.connector]
                lastStates[change.connector] = snapshot?.state?.rawValue
                guard let result = Applier.evaluate(change, snapshot: snapshot, emptyTasksAreFinal: now - started >= options.emptyTaskGrace) else {
                    failingSince.removeValue(forKey: change.connector)
                    stillWaiting.append((index, change))
                    continue
                }
                if case .failed = result {
                    let since = failingSince[change.connector] ?? now
                    failingSince[change.connector] = since
                    if now - since < options.failureGrace {
                        stillWaiting.append((index, change))
                        continue
                    }
                    if change.action == .update, change.toState == .running, !restarted.contains(change.connector) {
                        restart.append(change.connector)
                        restarted.insert(change.connector)
                        failingSince.removeValue(forKey: change.connector)
                        stillWaiting.append((index, change))
                        continue
                    }
                }
                finished.append((index, change, result))
            }
            remaining = stillWaiting
            return (finished, restart)
        }
    }

    /// Whether a change has reached its end: applied, failed, or not yet (nil). A RUNNING
    /// connector without tasks counts as applied only once `emptyTasksAreFinal`.
    static func evaluate(_ change: Change, snapshot: ConnectorSnapshot?, emptyTasksAreFinal: Bool = true) -> Outcome.Result? {
        if change.action == .delete {
            return snapshot == nil ? .applied : nil
        }
        guard let snapshot, let status = snapshot.status, let desired = change.toState else { return nil }
        if status.connector.state == .failed {
            return .failed("the connector failed: \(firstLine(status.connector.trace))")
        }
        if let task = status.tasks.first(where: { $0.state == .failed }) {
            return .failed("task \(task.id) failed: \(firstLine(task.trace))")
        }
        guard status.connector.state.rawValue == desired.connectName else { return nil }
        if desired == .running {
            if status.tasks.contains(where: { $0.state != .running }) { return nil }
            // Every task Connect has a config for must report RUNNING; status lags behind a
            // rebalance, so a configured task missing from status is not running yet.
            let configured = Set(snapshot.info?.tasks.map(\.task) ?? [])
            if !configured.isSubset(of: Set(status.tasks.map(\.id))) { return nil }
            if status.tasks.isEmpty, !emptyTasksAreFinal { return nil }
        }
        return .applied
    }

    static func firstLine(_ trace: String?) -> String {
        trace?.split(separator: "\n").first.map(String.init) ?? "no trace"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? ConnectError {
            return error.message.map { "Connect answered \(error.status ?? 0): \($0)" } ?? error.description
        }
        return "\(error)"
    }
}
