import Foundation
import NIOConcurrencyHelpers

/// What was rendered from the current snapshot (the overview's table, list API bodies), so that
/// repeated views of an unchanged snapshot cost a lookup instead of a render. Entries belong to
/// one snapshot, named by its `takenAt`; a lookup against a newer snapshot starts a new
/// generation. While one request renders a key for the new snapshot, others get that key's
/// rendering of the previous snapshot (a few seconds older, as every page is) instead of all
/// rendering it at once. At most `capacity` entries are kept per snapshot (queries vary).
public final class RenderCache<Value: Sendable>: Sendable {
    private struct State {
        var snapshot = Date.distantPast
        var entries: [String: Value] = [:]
        var previous: [String: Value] = [:]
        var rendering: Set<String> = []
    }

    private enum Lookup {
        case cached(Value)
        case render(keep: Bool)
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The value for `key` rendered from the snapshot taken at `snapshot`, rendering it on a miss.
    public func value(for key: String, snapshot: Date, render: () throws -> Value) rethrows -> Value {
        let lookup = state.withLockedValue { state -> Lookup in
            if state.snapshot != snapshot {
                // A request that still holds an older snapshot renders for itself.
                guard snapshot > state.snapshot else { return .render(keep: false) }
                state = State(snapshot: snapshot, previous: state.entries)
            }
            if let value = state.entries[key] { return .cached(value) }
            if state.rendering.contains(key), let stale = state.previous[key] { return .cached(stale) }
            state.rendering.insert(key)
            return .render(keep: true)
        }
        switch lookup {
        case .cached(let value):
            return value
        case .render(keep: false):
            return try render()
        case .render(keep: true):
            do {
                let value = try render()
                state.withLockedValue { state in
                    guard state.snapshot == snapshot else { return }
                    state.rendering.remove(key)
                    if state.entries.count < capacity { state.entries[key] = value }
                }
                return value
            } catch {
                state.withLockedValue { state in
                    if state.snapshot == snapshot { state.rendering.remove(key) }
                }
                throw error
            }
        }
    }
}
