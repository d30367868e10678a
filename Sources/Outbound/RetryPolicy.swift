import Foundation

/// An error that says whether the same call may succeed when sent again after a backoff
/// (``ConnectError`` from Connect's answers, ``OutboundFailure`` from the transport).
public protocol RetryableError: Error {
    var isRetryable: Bool { get }
}

/// Exponential backoff with jitter for calls whose errors say they are retryable.
///
/// The default follows the Terraform provider and Strimzi: start at 250 ms, double up to 5 s,
/// at most 10 attempts; and no new attempt once `maxElapsed` has passed since the first.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// No attempt starts after this much time since the first (the last one has its own deadline).
    public var maxElapsed: Duration

    public init(maxAttempts: Int = 10, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(5), maxElapsed: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxElapsed = maxElapsed
    }

    /// No retries: one attempt.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// An apply's writes: retried for as long as `budget` allows, however many attempts that is.
    /// A group in flux (its leader killed, a long rebalance) answers at once, so a count of
    /// attempts would give up after about 30 s of backoff whatever the budget.
    public static func writes(within budget: Duration) -> RetryPolicy {
        RetryPolicy(maxAttempts: .max, maxElapsed: budget)
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1), with up to 20% jitter.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) {
            delay = min(delay * 2, maxDelay)
        }
        let jitter = Double.random(in: 0.8...1.0)
        return delay * jitter
    }

    /// Runs `operation`, retrying it while it throws a ``RetryableError`` that is retryable.
    /// `beforeRetry` runs before each new attempt (for example to re-read state) with the error
    /// that caused it and the number of the attempt that failed.
    public func run<T: Sendable>(
        _ operation: () async throws -> T,
        beforeRetry: (any RetryableError, Int) async -> Void = { _, _ in }
    ) async throws -> T {
        var attempt = 1
        let deadline = ContinuousClock.now + maxElapsed
        while true {
            do {
                return try await operation()
            } catch let error as any RetryableError where error.isRetryable && attempt < maxAttempts {
                let pause = delay(afterAttempt: attempt)
                guard ContinuousClock.now + pause < deadline else { throw error }
                await beforeRetry(error, attempt)
                try await Task.sleep(for: pause)
                attempt += 1
            }
        }
    }
}
