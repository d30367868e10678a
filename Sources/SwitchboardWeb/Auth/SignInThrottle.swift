import Foundation
import NIOConcurrencyHelpers

/// Slows password guessing: after ``maxFailuresPerUser`` failed sign-ins for one user name, or
/// ``maxFailuresPerAddress`` from one address, within ``window``, further attempts are refused
/// without checking the password until the window has passed since the first failure. A
/// successful sign-in clears the user's count. Memory is bounded by ``capacity`` entries.
public final class SignInThrottle: Sendable {
    public let window: TimeInterval
    public let maxFailuresPerUser: Int
    public let maxFailuresPerAddress: Int
    public let capacity: Int

    struct Failures {
        var first: Date
        var count: Int
    }

    private let failures = NIOLockedValueBox<[String: Failures]>([:])

    public init(window: TimeInterval = 15 * 60, maxFailuresPerUser: Int = 5, maxFailuresPerAddress: Int = 50, capacity: Int = 50_000) {
        self.window = window
        self.maxFailuresPerUser = maxFailuresPerUser
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.capacity = capacity
    }

    /// Seconds until a new attempt is allowed, or nil when one is allowed now.
    public func retryAfter(user: String, address: String?, now: Date = Date()) -> Int? {
        failures.withLockedValue { failures in
            let waits = keys(user: user, address: address).compactMap { key, limit -> TimeInterval? in
                guard let entry = failures[key], now.timeIntervalSince(entry.first) < window, entry.count >= limit else { return nil }
                return window - now.timeIntervalSince(entry.first)
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    public func recordFailure(user: String, address: String?, now: Date = Date()) {
        failures.withLockedValue { failures in
            if failures.count >= capacity {
                failures = failures.filter { now.timeIntervalSince($0.value.first) < window }
            }
            for (key, _) in keys(user: user, address: address) where failures.count < capacity || failures[key] != nil {
                if var entry = failures[key], now.timeIntervalSince(entry.first) < window {
                    entry.count += 1
                    failures[key] = entry
                } else {
                    failures[key] = Failures(first: now, count: 1)
                }
            }
        }
    }

    public func recordSuccess(user: String) {
        _ = failures.withLockedValue { $0.removeValue(forKey: "user:\(user.lowercased())") }
    }

    private func keys(user: String, address: String?) -> [(String, Int)] {
        [("user:\(user.lowercased())", maxFailuresPerUser), ("address:\(address ?? "unknown")", maxFailuresPerAddress)]
    }
}
