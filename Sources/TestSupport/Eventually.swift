import Foundation

/// Polls `condition` until it returns a value or `timeout` passes.
@discardableResult
public func eventually<T>(
    timeout: Duration = .seconds(180),
    every interval: Duration = .seconds(1),
    _ what: String,
    _ condition: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await condition() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: interval)
    }
    throw TimeoutError(what: what, timeout: timeout, lastError: lastError.map { "\($0)" })
}

/// `eventually` gave up.
public struct TimeoutError: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    public var lastError: String?

    public init(what: String, timeout: Duration, lastError: String?) {
        self.what = what
        self.timeout = timeout
        self.lastError = lastError
    }
    public var description: String {
        "Timed out after \(timeout) waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? "")
    }
}
