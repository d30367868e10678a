@testable import Reconciler
import Testing

/// The write window alone, on a made-up clock: how it grows, holds, backs off and stays pinned.
@Suite struct WriteWindowTests {
    /// Feeds one round (`limit` attempts, at least 4) that took `seconds` in all, the first
    /// `retries` of them answered with "retry".
    func round(_ window: inout WriteWindow, at clock: inout ContinuousClock.Instant, seconds: Double, retries: Int = 0, slowest: Duration = .zero) {
        let count = max(window.limit, 4)
        for index in 0..<count {
            clock += .milliseconds(Int(seconds * 1000) / count)
            window.ended(index < retries ? .retry : .done, took: index == count - 1 ? slowest : .zero, now: clock)
        }
    }

    @Test func answersNearTheWriteTimeoutStopTheGrowthAndThenShrinkIt() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 8, ceiling: 64), writeTimeout: .seconds(30), now: clock)
        round(&window, at: &clock, seconds: 1, slowest: .seconds(5))
        #expect(window.limit == 12, "5 s is well within a 30 s timeout")
        round(&window, at: &clock, seconds: 1, slowest: .seconds(11))
        #expect(window.limit == 12, "over a third of the timeout: held")
        round(&window, at: &clock, seconds: 1, slowest: .seconds(16))
        #expect(window.limit == 9, "over half of it: down by a quarter")
        #expect(window.steps.last?.reason.contains("over half the write timeout") == true)
    }

    @Test func growsWhileWritesPerSecondImproveUpToTheCeiling() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 8, ceiling: 40), now: clock)
        var limits = [window.limit]
        // Every round takes 1 s whatever the concurrency: more in flight, more per second.
        for _ in 0..<8 {
            round(&window, at: &clock, seconds: 1)
            limits.append(window.limit)
        }
        #expect(limits.prefix(5) == [8, 12, 18, 36, 40], "by half while there is no round to compare with, then doubled while each round is 20% or more faster")
        #expect(window.limit == 40 && window.peak == 40, "never above the ceiling")
    }

    @Test func smallGainsGrowItByHalfOnly() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 8, ceiling: 64), now: clock)
        var limits = [window.limit]
        // Each round 10% faster than the one before, however many are in flight (creates that
        // start tasks): doubling would overshoot into rebalance storms.
        var rate = 1.0
        for _ in 0..<4 {
            round(&window, at: &clock, seconds: Double(window.limit) / rate)
            rate *= 1.1
            limits.append(window.limit)
        }
        #expect(limits == [8, 12, 18, 27, 40])
    }

    @Test func refusalsSayNothingAboutTheLoad() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 8, ceiling: 64), now: clock)
        for _ in 0..<8 {
            clock += .milliseconds(100)
            window.ended(.refused, now: clock)
        }
        #expect(window.limit > 8, "a bad config is not a sign of too much in flight")
    }

    @Test func retriesHalveIt() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 16, ceiling: 64), now: clock)
        round(&window, at: &clock, seconds: 1, retries: 3)
        #expect(window.limit == 8)
        #expect(window.steps.last?.reason.contains("answered with retry") == true)
        round(&window, at: &clock, seconds: 0.5, retries: 1)
        #expect(window.limit == 4)
        // After backing off it grows step by step, not by half.
        round(&window, at: &clock, seconds: 0.2)
        #expect(window.limit == 5)
    }

    @Test func aSlowerRoundGoesBackToTheBestConcurrencySeen() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 8, ceiling: 64), now: clock)
        round(&window, at: &clock, seconds: 1)   // 8/s at 8 -> 12
        round(&window, at: &clock, seconds: 1)   // 12/s at 12 -> 18 (the first round is no baseline)
        #expect(window.limit == 18)
        round(&window, at: &clock, seconds: 3)   // 6/s at 18: a rebalance storm
        #expect(window.limit == 12, "back to the concurrency of the best round")
        #expect(window.steps.last?.reason == "slower than the round before")
    }

    @Test func aBurstInTheFirstRoundDoesNotCollapseTheWindow() {
        // Measured on the bench cluster: the first 8 creates at 4.19 writes/s, the rounds after
        // at about 1, 0.5, 0.8, 0.6 ... The window fell from 8 to 1 in 54 attempts.
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 8, ceiling: 64), now: clock)
        round(&window, at: &clock, seconds: 8 / 4.19)
        var lowest = window.limit
        for rate in [1.08, 0.5, 0.79, 0.59, 0.46, 0.4, 0.32] {
            round(&window, at: &clock, seconds: Double(max(window.limit, 4)) / rate)
            lowest = min(lowest, window.limit)
        }
        #expect(lowest >= 8, "a drop in writes per second alone never takes it below where it started: \(window.steps)")
        // Retries still do.
        round(&window, at: &clock, seconds: 10, retries: 2)
        #expect(window.limit < 8)
    }

    @Test func deletesAloneStartAtHalfTheCeiling() {
        #expect(WriteWindow.Mode.adaptive(initial: 8, ceiling: 64).starting(deletesOnly: true) == .adaptive(initial: 32, ceiling: 64))
        #expect(WriteWindow.Mode.adaptive(initial: 8, ceiling: 64).starting(deletesOnly: false) == .adaptive(initial: 8, ceiling: 64))
        #expect(WriteWindow.Mode.adaptive(initial: 8, ceiling: 12).starting(deletesOnly: true) == .adaptive(initial: 8, ceiling: 12),
                "never below the initial concurrency")
        #expect(WriteWindow.Mode.pinned(4).starting(deletesOnly: true) == .pinned(4), "--parallelism pins deletes too")
    }

    @Test func pinnedStaysWhereItIsPut() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.pinned(16), now: clock)
        round(&window, at: &clock, seconds: 1, retries: 5)
        round(&window, at: &clock, seconds: 0.1)
        #expect(window.limit == 16 && window.steps.isEmpty && window.attempts == 32)
    }

    @Test func theLimitIsAtLeastOne() {
        var clock = ContinuousClock.now
        var window = WriteWindow(.adaptive(initial: 1, ceiling: 1), now: clock)
        for _ in 0..<3 { round(&window, at: &clock, seconds: 1, retries: 2) }
        #expect(window.limit == 1)
        #expect(WriteWindow(.pinned(0)).limit == 1)
    }
}
