import ConnectClient
import Foundation
import Outbound

/// How many writes one cluster gets in flight during an apply.
///
/// Each create or delete is a config-topic write and a group rebalance, so the best number of
/// writes in flight depends on the cluster: too few leave the leader idle between rebalances, too
/// many start rebalance storms. The window counts attempts (a retry is an attempt of its own and
/// waits for a slot like any other). Adaptive (the default), it is judged after every round of
/// `limit` ended attempts (at least 4). Shorter rounds were tried and measured: Connect finishes
/// writes in bursts (a rebalance completes several at once), so a round of a few attempts reads
/// 4/s and then 0.4/s, and the window collapsed to 2-8 (creates 1.8x slower than with full rounds):
/// - an attempt in the round was answered with "retry" (a 409, a timeout, a pending rebalance): halve;
/// - an attempt took more than half the write timeout (the leader queues writes, so the wait
///   grows with the concurrency): down by a quarter, before any request times out;
/// - writes made per second fell by more than 10% from the round before: go back to the
///   concurrency of the best round seen (or down by a quarter), but not below the initial
///   concurrency: a drop alone is no sign of overload (Connect completes writes in bursts), and
///   only retries and slow answers take it lower;
/// - otherwise grow: while it keeps improving from the start (slow start), double after a round
///   20% or more faster than the one before and grow by half otherwise, then by an eighth (at
///   least one) per round, never above `ceiling`; but not while the slowest attempt of the round
///   took more than a third of the write timeout.
/// The first round is no baseline: Connect answers the first writes before the rebalances they
/// cause begin (8 creates were measured at 4.2 writes/s, the rounds after at 1), and with it as
/// the baseline every later round read "slower" and the window fell from 8 to 1.
/// Pinned (`apply --parallelism N`), it stays at N.
public struct WriteWindow: Sendable {
    public enum Mode: Sendable, Equatable {
        case adaptive(initial: Int, ceiling: Int)
        case pinned(Int)

        /// What apply uses unless told otherwise.
        public static let standard = Mode.adaptive(initial: 8, ceiling: 64)

        /// The mode for one cluster's writes: adaptive, a batch of deletes alone starts at half
        /// the ceiling (when that is more than the initial concurrency). A delete writes one
        /// tombstone and stops tasks; a create writes a config, then its task configs, and starts
        /// tasks, each write a rebalance. Measured with 200 of each on one cluster, fixed loops of
        /// 8, 16, 32 and 64 in flight took 213, 145, 109 and 90 s to delete (more is faster all
        /// the way) but 312, 235, 199 and 376 s to create (a storm at 64). Started at 8, deletes
        /// spent 119 of 200 writes below 64 (110 s against 89 s for the fixed 64). Retries and
        /// slow answers still take it down.
        public func starting(deletesOnly: Bool) -> Mode {
            guard deletesOnly, case .adaptive(let initial, let ceiling) = self else { return self }
            return .adaptive(initial: max(initial, ceiling / 2), ceiling: ceiling)
        }
    }

    /// One change of the limit, for the summary.
    public struct Step: Sendable, Equatable, Codable {
        /// Attempts ended before the change.
        public var afterAttempts: Int
        public var limit: Int
        /// Completed writes per second in the round that led to the change.
        public var writesPerSecond: Double
        public var reason: String
    }

    /// How an attempt ended.
    public enum Ending: Sendable {
        /// The write was made (or found made).
        case done
        /// Connect asked for it again (409, timeout, rebalance): a sign of too much in flight.
        case retry
        /// Connect refused it for good (a bad config): says nothing about the load.
        case refused
    }

    public let mode: Mode
    public private(set) var limit: Int
    public private(set) var peak: Int
    public private(set) var steps: [Step] = []
    /// Attempts ended so far.
    public private(set) var attempts = 0

    private let ceiling: Int
    private let initial: Int
    private var rounds = 0
    /// A third of the write timeout: the slowest attempt of a round should stay below it.
    private let latencyBudget: Duration
    private var roundSlowest: Duration = .zero
    private var slowStart = true
    private var roundStarted: ContinuousClock.Instant
    private var roundEnded = 0
    private var roundDone = 0
    private var roundRetries = 0
    private var lastRate: Double?
    private var best: (limit: Int, rate: Double)?

    /// `writeTimeout` is the deadline of one write request.
    public init(_ mode: Mode, writeTimeout: Duration = .seconds(90), now: ContinuousClock.Instant = .now) {
        self.mode = mode
        latencyBudget = writeTimeout / 3
        switch mode {
        case .adaptive(let initial, let ceiling):
            self.ceiling = max(1, ceiling)
            limit = min(max(1, initial), self.ceiling)
        case .pinned(let count):
            limit = max(1, count)
            ceiling = limit
        }
        initial = limit
        peak = limit
        roundStarted = now
    }

    /// One attempt ended after `took`.
    public mutating func ended(_ ending: Ending, took: Duration = .zero, now: ContinuousClock.Instant = .now) {
        attempts += 1
        roundEnded += 1
        roundSlowest = max(roundSlowest, took)
        switch ending {
        case .done: roundDone += 1
        case .retry: roundRetries += 1
        case .refused: break
        }
        guard case .adaptive = mode, roundEnded >= max(limit, 4) else { return }
        let rate = Double(roundDone) / max((now - roundStarted).inSeconds, 0.001)
        let roundLimit = limit
        if roundRetries > 0 {
            slowStart = false
            change(to: max(1, limit / 2), rate: rate, reason: "\(roundRetries) attempt(s) answered with retry")
        } else if roundSlowest > latencyBudget * 3 / 2 {
            slowStart = false
            change(to: max(1, limit * 3 / 4), rate: rate, reason: "an answer took \(Int(roundSlowest.inSeconds)) s, over half the write timeout")
        } else if let lastRate, rate < lastRate * 0.9 {
            slowStart = false
            let back = best.map { $0.limit < limit ? $0.limit : max(1, limit * 3 / 4) } ?? max(1, limit * 3 / 4)
            change(to: max(back, min(initial, limit)), rate: rate, reason: "slower than the round before")
        } else if roundSlowest > latencyBudget {
            slowStart = false  // held: more in flight would only wait longer
        } else if slowStart, let lastRate, rate >= lastRate * 1.2 {
            // Paying well: double (deletes started at 8 reached 64 after 119 writes instead of 165).
            change(to: min(ceiling, limit * 2), rate: rate, reason: "much faster")
        } else if slowStart {
            change(to: min(ceiling, max(limit + 1, limit * 3 / 2)), rate: rate, reason: "faster")
        } else {
            change(to: min(ceiling, limit + max(1, limit / 8)), rate: rate, reason: "steady")
        }
        if rounds > 0 {
            if roundRetries == 0, best.map({ rate > $0.rate }) ?? true {
                best = (roundLimit, rate)
            }
            lastRate = rate
        }
        rounds += 1
        roundStarted = now
        roundEnded = 0
        roundDone = 0
        roundRetries = 0
        roundSlowest = .zero
    }

    private mutating func change(to newLimit: Int, rate: Double, reason: String) {
        guard newLimit != limit else { return }
        limit = newLimit
        peak = max(peak, newLimit)
        steps.append(Step(afterAttempts: attempts, limit: newLimit, writesPerSecond: (rate * 100).rounded() / 100, reason: reason))
    }
}

/// The write window shared by the writes to one cluster: an attempt waits for a slot, and the
/// window's limit (which may shrink or grow as attempts end) decides how many run at once.
final class WriteGate: @unchecked Sendable {
    // Every field is read and written under `lock`; continuations are resumed outside it.
    private let lock = NSLock()
    private var window: WriteWindow
    private var inFlight = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ mode: WriteWindow.Mode, writeTimeout: Duration) {
        window = WriteWindow(mode, writeTimeout: writeTimeout)
    }

    /// The window as it is now.
    var current: WriteWindow { lock.withLock { window } }

    /// Waits for a slot.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if inFlight < window.limit {
                inFlight += 1
                lock.unlock()
                continuation.resume()
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    /// Gives the slot back with how the attempt ended, and lets in as many waiting attempts as
    /// the window now allows.
    func release(_ ending: WriteWindow.Ending, took: Duration) {
        let admitted: [CheckedContinuation<Void, Never>] = lock.withLock {
            inFlight -= 1
            window.ended(ending, took: took)
            var admitted: [CheckedContinuation<Void, Never>] = []
            while inFlight < window.limit, !waiting.isEmpty {
                inFlight += 1
                admitted.append(waiting.removeFirst())
            }
            return admitted
        }
        for continuation in admitted { continuation.resume() }
    }

    /// Runs one attempt in a slot.
    func attempt<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        let started = ContinuousClock.now
        do {
            let value = try await body()
            release(.done, took: ContinuousClock.now - started)
            return value
        } catch let error as ConnectError where error.isRetryable {
            release(.retry, took: ContinuousClock.now - started)
            throw error
        } catch {
            release(.refused, took: ContinuousClock.now - started)
            throw error
        }
    }
}
