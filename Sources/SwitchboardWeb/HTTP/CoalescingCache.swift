import Foundation
import NIOConcurrencyHelpers

/// What pages read from Connect beyond the snapshot (a connector's topics and offsets), kept per
/// connector for `lifetime` and coalesced: however many people view one connector, at most one
/// read of it is in flight, and at most one starts per `lifetime`. Once a value is older than
/// its lifetime, the next view starts a new read and, with everyone else until it ends, gets the
/// previous value at once: only the very first view of a connector waits for Connect. A failed
/// read is kept as long as a good one (a worker that is rebalancing is not asked again by every
/// viewer). An action on the connector forgets what was read of it, so the next view waits for
/// a fresh read.
public final class CoalescingCache<Value: Sendable>: Sendable {
    private struct Entry {
        var read: Task<Value, Never>
        var started: ContinuousClock.Instant
        /// The previous read, ended: what views get while `read` runs.
        var previous: Task<Value, Never>?
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let started = NIOLockedValueBox(0)
    let lifetime: Duration
    let capacity: Int

    public init(lifetime: Duration = .seconds(5), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The value of `key`: the last read when younger than `lifetime`; else a new read starts, and
    /// until it ends the previous value is the answer (when there is none, the read is awaited).
    public func value(for key: String, read: @escaping @Sendable () async -> Value) async -> Value {
        let now = ContinuousClock.now
        let task = entries.withLockedValue { entries -> Task<Value, Never> in
            if let entry = entries[key] {
                if now - entry.started < lifetime { return entry.previous ?? entry.read }
            } else if entries.count >= capacity {
                entries = entries.filter { now - $0.value.started < lifetime }
            }
            let previous = entries[key]?.read
            let task = Task {
                let value = await read()
                // Ended: views get this read from now on.
                self.entries.withLockedValue { entries in
                    if entries[key]?.started == now { entries[key]?.previous = nil }
                }
                return value
            }
            entries[key] = Entry(read: task, started: now, previous: previous)
            started.withLockedValue { $0 += 1 }
            return previous ?? task
        }
        return await task.value
    }

    /// Forgets what was read of `key` (after an action changed it).
    public func forget(_ key: String) {
        _ = entries.withLockedValue { $0.removeValue(forKey: key) }
    }

    /// Reads started so far (for tests and benchmarks).
    public var reads: Int { started.withLockedValue { $0 } }

    /// Entries kept now.
    var count: Int { entries.withLockedValue { $0.count } }
}
