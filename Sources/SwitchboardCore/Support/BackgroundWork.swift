import Dispatch

/// Long CPU work (building a snapshot of 20,000 connectors, decoding a cluster's bulk answer) on
/// threads of its own, not on Swift concurrency's pool, which has one thread per core and
/// also runs every request: a page asked for during a build is answered at once instead of
/// after it.
public enum BackgroundWork {
    private static let queue = DispatchQueue(label: "switchboard.background", attributes: .concurrent)

    /// Runs `work` on a background thread and returns what it returns.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work` on a background thread.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
