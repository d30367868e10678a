import Foundation
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Whether this replica is stopping: set at the first moment of a stop (SIGTERM or SIGINT to
/// `serve`), before any service is asked to end. Readiness answers 503 from then on, the
/// controllers start no new work, and an apply under way writes nothing more (what it wrote is
/// still waited for and recorded while the shutdown budget lasts).
public final class ReplicaLifecycle: Sendable {
    private let since = NIOLockedValueBox<Date?>(nil)

    public init() {}

    public var isStopping: Bool { since.withLockedValue { $0 != nil } }

    /// When the stop began; nil while the replica runs.
    public var stoppingSince: Date? { since.withLockedValue { $0 } }

    public func beginStop() {
        since.withLockedValue { if $0 == nil { $0 = Date() } }
    }
}

/// The first service to hear of a graceful shutdown (it is the last of the group, and a group
/// stops its services in reverse order): marks the replica as stopping, then ends.
public struct StopWatcher: Service, CustomStringConvertible {
    let lifecycle: ReplicaLifecycle
    let onStop: @Sendable () -> Void

    /// `onStop`: called once, at the first moment of the stop.
    public init(lifecycle: ReplicaLifecycle, onStop: @escaping @Sendable () -> Void = {}) {
        self.lifecycle = lifecycle
        self.onStop = onStop
    }

    public func run() async {
        // Cancelled instead (the group ends for another reason): a stop all the same.
        try? await gracefulShutdown()
        lifecycle.beginStop()
        onStop()
    }

    public var description: String { "StopWatcher" }
}

/// Runs `loop` until the service group shuts down gracefully, then returns normally: a poller
/// cancelled in its sleep has stopped cleanly, and must not end the group with
/// `CancellationError` (which `serve` would report as a crash).
public func untilShutdown(_ loop: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await cancelWhenGracefulShutdown(loop)
    } catch is CancellationError {
        return
    }
}
