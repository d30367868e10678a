import Foundation
import SwitchboardStorage

/// The auto-restart controller's tracks in the server's storage (one document per connector it
/// restarted or gave up on), so that a restart of the server or a takeover by another replica
/// continues the schedule, and every replica shows the same counts.
public struct RestartMemory: Sendable {
    static let prefix = "auto-restart/"
    let storage: any ServerStorage

    public init(storage: any ServerStorage) {
        self.storage = storage
    }

    /// Every stored track, by connector key. A document that does not decode is an error naming
    /// it, never a track silently forgotten (which would restart a connector given up on).
    public func load() async throws -> [String: RestartBook.Track] {
        try await storage.controllerDocuments(prefix: Self.prefix, as: RestartBook.Track.self)
    }

    /// Writes what changed from `before` to `after`: new and changed tracks, and deletes of
    /// tracks `after` no longer has (the connector was healthy long enough, or is gone).
    public func save(from before: [String: RestartBook.Track], to after: [String: RestartBook.Track]) async throws {
        var changed: [String: String] = [:]
        for (key, track) in after where before[key] != track {
            changed[Self.prefix + key] = String(decoding: try JSONEncoder.controllerState.encode(track), as: UTF8.self)
        }
        let gone = before.keys.filter { after[$0] == nil }.map { Self.prefix + $0 }
        try await storage.saveControllerState(changed, deleting: gone)
    }

    /// Forgets a connector's track: a person restarted it by hand, so a give-up no longer holds
    /// and the schedule starts afresh.
    public func forget(_ key: String) async throws {
        try await storage.saveControllerState([:], deleting: [Self.prefix + key])
    }
}
