/// Whether and how `switchboard serve` restarts a failed connector and its failed tasks.
///
/// The schedule is the one Strimzi's operator users know: the first restart at once, then
/// `n * n + n` units after the previous one (2, 6, 12, 20, 30, 42, 56 minutes with the default
/// unit of a minute), at most 60 units; after `maxRestarts` the controller gives up and says so
/// (UI, API, metric and alert). A connector healthy for `healthyAfter` starts counting afresh.
public struct AutoRestartPolicy: Sendable, Equatable, Codable {
    public var enabled: Bool
    public var maxRestarts: Int
    /// The schedule's unit, in seconds.
    public var unitSeconds: Int
    /// How long a connector runs healthy before its count resets, in seconds.
    public var healthyAfterSeconds: Int

    public init(enabled: Bool = false, maxRestarts: Int = 7, unitSeconds: Int = 60, healthyAfterSeconds: Int = 600) {
        self.enabled = enabled
        self.maxRestarts = maxRestarts
        self.unitSeconds = unitSeconds
        self.healthyAfterSeconds = healthyAfterSeconds
    }

    /// How long after restart number `done` (1-based) the next one is due; the first is due at once.
    public func delay(afterRestarts done: Int) -> Duration {
        guard done > 0 else { return .zero }
        return .seconds(min(done * done + done, 60) * unitSeconds)
    }
}
