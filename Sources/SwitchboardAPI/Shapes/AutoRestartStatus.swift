import Foundation

/// Where a connector stands with the auto-restart controller.
public struct AutoRestartStatus: Sendable, Codable, Equatable {
    /// Restarts since the connector was last healthy for `healthyAfter`.
    public var restarts: Int
    public var maxRestarts: Int
    /// The controller stopped trying: the connector needs a person.
    public var gaveUp: Bool
    public var lastRestartAt: Date?
    /// When the next restart is due, while the connector is failed and the controller still tries.
    public var nextRestartAt: Date?

    public init(restarts: Int, maxRestarts: Int, gaveUp: Bool, lastRestartAt: Date? = nil, nextRestartAt: Date? = nil) {
        self.restarts = restarts
        self.maxRestarts = maxRestarts
        self.gaveUp = gaveUp
        self.lastRestartAt = lastRestartAt
        self.nextRestartAt = nextRestartAt
    }
}
