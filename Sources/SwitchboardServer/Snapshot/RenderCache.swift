import Foundation
import NIOConcurrencyHelpers

/// What was rendered from the current snapshot (the overview's table, list API bodies), so that
/// repeated views of an unchanged snapshot cost a lookup instead of a render. Entries belong to
/// one snapshot, named by its `takenAt`; the first lookup against a newer snapshot empties the
/// cache. At most `capacity` entries are kept per snapshot (queries can vary without end).
public final class RenderCache<Value: Sendable>: Sendable {
    private struct State {
        var snapshot = Date.distantPast
        var entries: [String: Value] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The value for `key` rendered from the snapshot taken at `snapshot`, rendering it on a miss.
    public func value(for key: String, snapshot: Date, render: () throws -> Value) rethrows -> Value {
        let cached = state.withLockedValue { state -> Value? in
            if state.snapshot != snapshot {
                guard snapshot > state.snapshot else { return nil }
                state = State(snapshot: snapshot)
            }
            return state.entries[key]
        }
        if let cached { return cached }
        let value = try render()
        state.withLockedValue { state in
            if state.snapshot == snapshot, state.entries.count < capacity { state.entries[key] = value }
        }
        return value
    }
}
