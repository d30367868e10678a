import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Long CPU work (building a snapshot of 20,000 connectors, decoding a cluster's bulk answer) on
/// a thread of its own at a lower priority, not on Swift concurrency's pool, which has one thread
/// per core and also runs every request: a page asked for during a build is answered first, and
/// the build takes what CPU is left.
public enum BackgroundWork {
    /// The nice value of a background thread (requests run at the process's own, 0 by default).
    static let niceness: Int32 = 10

    /// Runs `work` on a background thread and returns what it returns.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            start { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work` on a background thread.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start { continuation.resume(returning: work()) }
        }
    }

    private static func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            lowerPriority()
            body()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// On Linux the nice value is per thread: `who` 0 is the calling thread only.
    private static func lowerPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }
}
