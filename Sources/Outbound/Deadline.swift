import Foundation
import NIOConcurrencyHelpers

/// A wait that did not end in time.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public var timeout: Duration
    /// What the last request inside the wait had seen when the deadline passed
    /// (``NetworkDeadline/note(_:)``), if any.
    public var seen: String?
    public init(timeout: Duration, seen: String? = nil) {
        self.timeout = timeout
        self.seen = seen
    }
    public var description: String {
        seen.map { "\($0) within \(HTTPPolicy.seconds(timeout))" } ?? "no answer within \(HTTPPolicy.seconds(timeout))"
    }
}

/// What requests inside a ``withDeadline(_:_:)`` have seen so far, so that a deadline that
/// passes (on a loaded machine, before a request's own, shorter deadline is reported) still
/// says what was seen.
final class Observation: Sendable {
    private let value = NIOLockedValueBox<String?>(nil)
    var last: String? {
        get { value.withLockedValue { $0 } }
        set { value.withLockedValue { $0 = newValue } }
    }
}

/// The deadline of the enclosing ``withDeadline(_:_:)``, if any: requests inside it shorten
/// their own timeout to end a moment before it, so that their more precise message (silent,
/// refused, a slow body) is the one reported rather than the outer "no answer in time".
public enum NetworkDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?
    @TaskLocal static var observation: Observation?

    /// Records what a request inside the enclosing deadline is waiting for, in the words of the
    /// message to give if the deadline passes then (`127.0.0.1:8083 sent no answer to GET /health`).
    public static func note(_ what: String) {
        observation?.last = what
    }

    /// `timeout`, or less when the enclosing deadline comes sooner: it ends a tenth before it
    /// (at least 200 ms, at most 2 s), so that it wins the race on a loaded machine too.
    public static func budget(_ timeout: Duration) -> Duration {
        guard let current else { return timeout }
        let remaining = current - ContinuousClock.now
        let margin = min(max(remaining / 10, .milliseconds(200)), .seconds(2))
        return max(.milliseconds(1), min(timeout, remaining - margin))
    }
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` once `timeout` has
/// passed, whether or not the operation reacts to cancellation (it is cancelled, and its late
/// result is dropped). Cancelling the caller cancels the operation.
public func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let end = ContinuousClock.now + timeout
    let deadline = NetworkDeadline.current.map { min($0, end) } ?? end
    let observation = NetworkDeadline.observation ?? Observation()
    return try await NetworkDeadline.$current.withValue(deadline) {
        try await NetworkDeadline.$observation.withValue(observation) {
            try await race(timeout, observation, operation)
        }
    }
}

private func race<T: Sendable>(_ timeout: Duration, _ observation: Observation, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
    let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    @Sendable func finish(_ result: Result<T, any Error>) {
        let continuation = outcome.withLockedValue { value -> CheckedContinuation<T, any Error>? in
            defer { value = nil }
            return value
        }
        guard let continuation else { return }
        for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        continuation.resume(with: result)
    }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.withLockedValue { $0 = continuation }
            let work = Task {
                do {
                    finish(.success(try await operation()))
                } catch {
                    finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)  // cancelled when the work ends first
                if !Task.isCancelled { finish(.failure(DeadlineExceeded(timeout: timeout, seen: observation.last))) }
            }
            tasks.withLockedValue { $0 = [work, timer] }
            // Either may have finished before the list was set.
            if outcome.withLockedValue({ $0 == nil }) {
                work.cancel()
                timer.cancel()
            }
        }
    } onCancel: {
        finish(.failure(CancellationError()))
    }
}

extension Duration {
    /// In seconds, as a Double (for rates and summaries).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
