import Foundation
import NIOConcurrencyHelpers
@testable import SwitchboardWeb
import TestSupport
import Testing

/// Page views share one read of a connector: many viewers, one request in flight, one per lifetime.
@Suite struct CoalescingCacheTests {
    @Test func manyViewersAtOnceMakeOneRead() async {
        let cache = CoalescingCache<Int>(lifetime: .seconds(60))
        let reads = NIOLockedValueBox(0)
        let values = await withTaskGroup(of: Int.self) { group -> [Int] in
            for _ in 0..<50 {
                group.addTask {
                    await cache.value(for: "ingest/orders") {
                        try? await Task.sleep(for: .milliseconds(200))
                        return reads.withLockedValue { $0 += 1; return $0 }
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reads.withLockedValue { $0 } == 1)
        #expect(Set(values) == [1])
        #expect(cache.reads == 1)
    }

    @Test func aReadIsKeptForItsLifetimeThenMadeAgain() async throws {
        let reads = NIOLockedValueBox(0)
        let read: @Sendable () async -> Int = { reads.withLockedValue { $0 += 1; return $0 } }
        let kept = CoalescingCache<Int>(lifetime: .seconds(60))
        #expect(await kept.value(for: "a", read: read) == 1)
        #expect(await kept.value(for: "a", read: read) == 1)
        #expect(await kept.value(for: "b", read: read) == 2, "another connector has its own read")
        // Past its lifetime (three times over, however slow the machine), a value is read again;
        // the view that starts the read, and others until it ends, get the previous value at once.
        let short = CoalescingCache<Int>(lifetime: .milliseconds(100))
        #expect(await short.value(for: "a", read: read) == 3)
        try await Task.sleep(for: .milliseconds(300))
        #expect(await short.value(for: "a", read: read) == 3, "the previous value while the new read runs")
        try await eventually(timeout: .seconds(10), every: .milliseconds(20), "the new read") {
            await short.value(for: "a", read: read) >= 4 ? true : nil
        }
    }

    @Test func whileARefreshIsSlowViewsGetThePreviousValueAtOnce() async throws {
        // A lifetime long enough that the two views below fall within it however slow the machine.
        let cache = CoalescingCache<String>(lifetime: .seconds(2))
        #expect(await cache.value(for: "a") { "first" } == "first")
        try await Task.sleep(for: .milliseconds(2_200))
        let clock = ContinuousClock(), started = clock.now
        // The refresh takes 5 s; the view that starts it does not wait for it.
        #expect(await cache.value(for: "a") { try? await Task.sleep(for: .seconds(5)); return "second" } == "first")
        #expect(await cache.value(for: "a") { "never" } == "first")
        #expect(clock.now - started < .seconds(4))
        #expect(cache.reads == 2, "one refresh in flight")
    }

    @Test func anActionForgetsWhatWasRead() async {
        let cache = CoalescingCache<Int>(lifetime: .seconds(60))
        let reads = NIOLockedValueBox(0)
        let read: @Sendable () async -> Int = { reads.withLockedValue { $0 += 1; return $0 } }
        #expect(await cache.value(for: "a", read: read) == 1)
        cache.forget("a")
        #expect(await cache.value(for: "a", read: read) == 2)
    }

    @Test func expiredEntriesGoWhenTheCacheIsFull() async throws {
        let cache = CoalescingCache<Int>(lifetime: .milliseconds(100), capacity: 3)
        for key in ["a", "b", "c"] { _ = await cache.value(for: key) { 0 } }
        #expect(cache.count == 3)
        try await Task.sleep(for: .milliseconds(300))
        _ = await cache.value(for: "d") { 1 }
        #expect(cache.count == 1, "the expired three went when the fourth came")
    }
}
