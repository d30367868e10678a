import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Long CPU work (building a snapshot of 20,000 connectors, decoding a cluster's bulk answer) on
/// threads of their own at a lower priority, not on Swift concurrency's pool, which has one thread
/// per core and also runs every request: a page asked for during a build is answered first, and
/// the build takes what CPU is left. Two threads, kept for the process's life, take the jobs in
/// order: a fixed number of threads (and of the malloc arenas they use) bounds the memory that
/// large, short-lived values leave behind.
public enum BackgroundWork {
    /// The nice value of a background thread (requests run at the process's own, 0 by default).
    static let niceness: Int32 = 10
    /// Threads that run the jobs.
    static let threads = 2

    /// Jobs waiting for a thread, and whether the threads were started.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [@Sendable () -> Void] = []
        var started = false
    }
    private static let queue = Queue()

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
        queue.condition.lock()
        queue.jobs.append(body)
        if !queue.started {
            queue.started = true
            for _ in 0..<threads {
                let thread = Thread {
                    lowerPriority()
                    while true { next()() }
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
        }
        queue.condition.signal()
        queue.condition.unlock()
    }

    /// The oldest job, once there is one.
    private static func next() -> @Sendable () -> Void {
        queue.condition.lock()
        defer { queue.condition.unlock() }
        while queue.jobs.isEmpty { queue.condition.wait() }
        return queue.jobs.removeFirst()
    }

    /// On Linux the nice value is per thread: `who` 0 is the calling thread only.
    private static func lowerPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }
}
