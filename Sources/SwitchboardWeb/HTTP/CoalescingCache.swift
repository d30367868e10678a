import Foundation
import NIOConcurrencyHelpers

/// What pages read from Connect beyond the snapshot (a connector's topics and offsets), kept per
/// connector for `lifetime` and coalesced: however many people view one connector, at most one
/// read of it is in flight, and at most one starts per `lifetime`. A failed read is kept as
/// long as a good one (a worker that is rebalancing is not asked again by every viewer). An
/// action on the connector forgets what was read of it.
public final class CoalescingCache<Value: Sendable>: Sendable {
    private struct Entry {
        var read: Task<Value, Never>
        var started: ContinuousClock.Instant
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let started = NIOLockedValueBox(0)
    let lifetime: Duration
    let capacity: Int

    public init(lifetime: Duration = .seconds(5), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The value of `key`: the read in flight or younger than `lifetime`, else a new `read`.
    public func value(for key: String, read: @escaping @Sendable () async -> Value) async -> Value {
        let now = ContinuousClock.now
        let task = entries.withLockedValue { entries -> Task<Value, Never> in
            if let entry = entries[key], now - entry.started < lifetime { return entry.read }
            if entries.count >= capacity {
                entries = entries.filter { now - $0.value.started < lifetime }
            }
            let task = Task { await read() }
            entries[key] = Entry(read: task, started: now)
            started.withLockedValue { $0 += 1 }
            return task
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
