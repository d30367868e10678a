import ConnectClient
import Foundation
import Outbound
import SwitchboardCore

/// The writes of an apply: per cluster through its ``WriteGate``, each retried as Connect allows.
extension Applier {
    /// The writes to one cluster, in plan order, each attempt waiting for a slot of the cluster's
    /// ``WriteGate``; each result is nil when the write was made (the wait judges it) or the
    /// outcome of a failed write.
    func writeAll(cluster: String, _ changes: [(Int, Change)], scrub: @escaping @Sendable (String, Change) -> String,
                  events: @escaping @Sendable (Event) -> Void) async -> [(Int, Outcome?)] {
        let gate = WriteGate(options.writes.starting(deletesOnly: changes.allSatisfy { $0.1.action == .delete }), writeTimeout: options.writeTimeout)
        let initial = gate.current.limit
        let started = ContinuousClock.now
        let every = max(1, changes.count / 20)
        var results: [(Int, Outcome?)] = []
        var lastLimit = initial
        await withTaskGroup(of: (Int, Outcome?).self) { group in
            for (index, change) in changes {
                group.addTask {
                    do {
                        try await write(change, gate: gate, scrub: scrub, events: events)
                        return (index, nil)
                    } catch {
                        let outcome = Outcome(change: change, result: interruption(error) ?? .failed(scrub(Self.describe(error), change)))
                        events(.finished(outcome))
                        return (index, outcome)
                    }
                }
            }
            for await result in group {
                results.append(result)
                let limit = gate.current.limit, done = results.count
                if done % every == 0 || done == changes.count || limit != lastLimit {
                    lastLimit = limit
                    let elapsed = ContinuousClock.now - started
                    events(.progress(WriteProgress(cluster: cluster, done: done, total: changes.count, concurrency: limit,
                                                   estimatedLeft: elapsed * (Double(changes.count - done) / Double(done)))))
                }
            }
        }
        let window = gate.current
        let adaptive = if case .adaptive = window.mode { true } else { false }
        events(.written(WriteSummary(cluster: cluster, writes: changes.count, seconds: (ContinuousClock.now - started).inSeconds, adaptive: adaptive,
                                     initialConcurrency: initial, finalConcurrency: window.limit, peakConcurrency: window.peak, steps: window.steps)))
        return results
    }

    /// Makes one write, retrying what Connect calls retryable; every attempt (and the re-read
    /// before a retry) runs in a slot of `gate`, and the backoff in between does not hold one.
    func write(_ change: Change, gate: WriteGate, scrub: @Sendable (String, Change) -> String, events: @Sendable (Event) -> Void) async throws {
        let client = try connections.client(change.cluster)
        var writer = client
        writer.requestTimeout = options.writeTimeout
        var attempt = 0
        try await options.retry.run({
            attempt += 1
            // Checked again once a slot is free: a stop may come while the write queues.
            if options.stopping() { throw Stopped(attempts: attempt - 1) }
            try await gate.attempt {
                if options.stopping() { throw Stopped(attempts: attempt - 1) }
                if attempt == 1 { events(.writing(change)) }
                if attempt > 1, try await alreadyDone(change, client: client) { return }
                try await perform(change, client: writer)
            }
        }, beforeRetry: { error, attempt in
            let reason = (error as? ConnectError).map { $0.message ?? $0.shortDescription } ?? "\(error)"
            events(.retrying(change, reason: scrub(reason, change), attempt: attempt))
        })
    }

    /// A write not sent because the process is stopping, after `attempts` attempts that failed.
    struct Stopped: Error {
        var attempts: Int
    }

    /// The outcome of a write that ended because the process stopped, or nil for any other error.
    func interruption(_ error: any Error) -> Outcome.Result? {
        if let stopped = error as? Stopped {
            return .interrupted(stopped.attempts == 0 ? "not written: the stop came first"
                                : "not written: \(stopped.attempts) attempt(s) failed and the stop came before the next")
        }
        guard options.stopping() || Task.isCancelled else { return nil }
        return .interrupted("cut off in flight by the stop: whether Connect made the write is not known; the next plan shows it")
    }

    func perform(_ change: Change, client: ConnectClient) async throws {
        switch change.action {
        case .create:
            do {
                try await client.create(change.connector, config: change.config ?? [:], initialState: Self.initialState(change.toState ?? .running))
            } catch let error as ConnectError where error.status == 409 && !error.isRetryable {
                // Created meanwhile by someone else: make it match.
                try await client.putConfig(change.connector, config: change.config ?? [:])
                try await setState(change.connector, to: change.toState ?? .running, client: client)
            }
        case .update:
            try await client.putConfig(change.connector, config: change.config ?? [:])
            if change.changesState, let state = change.toState {
                try await setState(change.connector, to: state, client: client)
            }
        case .changeState:
            if let state = change.toState {
                try await setState(change.connector, to: state, client: client)
            }
        case .delete:
            do {
                try await client.delete(change.connector)
            } catch let error as ConnectError where error.isNotFound {
                return
            }
        }
    }

    func setState(_ name: String, to state: DesiredState, client: ConnectClient) async throws {
        switch state {
        case .running: try await client.resume(name)
        case .paused: try await client.pause(name)
        case .stopped: try await client.stop(name)
        }
    }

    /// Re-reads the connector before a retry: a request that timed out may have completed.
    func alreadyDone(_ change: Change, client: ConnectClient) async throws -> Bool {
        let all = try await client.connectors()
        let current = all[change.connector]
        switch change.action {
        case .delete:
            return current == nil
        case .create, .update:
            guard let config = current?.info?.config else { return false }
            let stored = config.filter { $0.key != "name" }
            return stored == (change.config ?? [:]).filter { $0.key != "name" }
                && (!change.changesState || current?.state?.rawValue == change.toState?.connectName)
        case .changeState:
            return current?.state?.rawValue == change.toState?.connectName
        }
    }

    static func initialState(_ state: DesiredState) -> InitialState {
        switch state {
        case .running: return .running
        case .paused: return .paused
        case .stopped: return .stopped
        }
    }
}
