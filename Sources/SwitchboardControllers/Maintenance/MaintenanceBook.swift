import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot
import SwitchboardStorage

/// The clusters in maintenance, kept in storage (controller state `maintenance/<cluster>`) so
/// that every replica shows them and a restart or takeover keeps them; each replica holds a copy
/// read every few seconds (``MaintenanceWatcher``) for its pages and controllers.
public final class MaintenanceBook: Sendable {
    static let prefix = "maintenance/"
    let storage: any ServerStorage
    private let windows = NIOLockedValueBox<[String: MaintenanceWindow]>([:])

    public init(storage: any ServerStorage) {
        self.storage = storage
    }

    /// The windows open now, by cluster (as last read).
    public var current: [String: MaintenanceWindow] { windows.withLockedValue { $0 } }

    public func isInMaintenance(_ cluster: String) -> Bool { current[cluster] != nil }

    /// Reads the stored windows. A document that does not decode is an error naming its key: a
    /// window forgotten would let the controllers act on a cluster under maintenance.
    public func refresh() async throws {
        var read: [String: MaintenanceWindow] = [:]
        for (key, json) in try await storage.controllerState(prefix: Self.prefix) {
            do {
                let window = try JSONDecoder.controllerState.decode(MaintenanceWindow.self, from: Data(json.utf8))
                read[window.cluster] = window
            } catch {
                throw StorageError("the maintenance window stored as \(key) cannot be read: \(error)")
            }
        }
        windows.withLockedValue { $0 = read }
    }

    /// Stores a window (before its connectors are paused: a stop midway still knows what to resume).
    public func open(_ window: MaintenanceWindow) async throws {
        let json = String(decoding: try JSONEncoder.controllerState.encode(window), as: UTF8.self)
        try await storage.saveControllerState([Self.prefix + window.cluster: json], deleting: [])
        windows.withLockedValue { $0[window.cluster] = window }
    }

    /// Removes a cluster's window (once its connectors were resumed).
    public func close(_ cluster: String) async throws {
        try await storage.saveControllerState([:], deleting: [Self.prefix + cluster])
        _ = windows.withLockedValue { $0.removeValue(forKey: cluster) }
    }
}

/// Reads the maintenance windows every `interval` on every replica.
public struct MaintenanceWatcher: Service, CustomStringConvertible {
    let book: MaintenanceBook
    let interval: Duration
    let logger: Logger

    public init(book: MaintenanceBook, interval: Duration = .seconds(5), logger: Logger) {
        (self.book, self.interval, self.logger) = (book, interval, logger)
    }

    public func run() async throws {
        try await untilShutdown {
            while !Task.isCancelled {
                do {
                    try await book.refresh()
                } catch {
                    logger.warning("Cannot read the maintenance windows; the last ones read stay", metadata: ["error": "\(Scrubber.scrub("\(error)"))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    public var description: String { "MaintenanceWatcher" }
}
