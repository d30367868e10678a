import Foundation
import SwitchboardCore
import Testing

/// Background work runs every job, each once, on a fixed set of threads (not one per job).
@Suite struct BackgroundWorkTests {
    @Test func manyJobsAllRunOnTwoThreadsAndReturnTheirOwnResults() async throws {
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var threads = Set<String>()
            func add(_ thread: String) { lock.withLock { _ = threads.insert(thread) } }
            var count: Int { lock.withLock { threads.count } }
        }
        let seen = Seen()
        let results = await withTaskGroup(of: (Int, Int).self) { group in
            for job in 0..<200 {
                group.addTask {
                    let value = await BackgroundWork.run { () -> Int in
                        seen.add("\(pthread_self())")
                        return (0..<1000).reduce(job) { ($0 &* 31 &+ $1) % 1_000_003 }
                    }
                    return (job, value)
                }
            }
            var all: [Int: Int] = [:]
            for await (job, value) in group { all[job] = value }
            return all
        }
        #expect(results.count == 200)
        for job in [0, 17, 199] {
            #expect(results[job] == (0..<1000).reduce(job) { ($0 &* 31 &+ $1) % 1_000_003 })
        }
        #expect(seen.count <= 2, "a fixed pool, not a thread per job")
    }

    @Test func anErrorComesBackToItsCaller() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await BackgroundWork.run { () throws -> Int in throw Refused() } }
        #expect(await BackgroundWork.run { 41 + 1 } == 42, "the threads still run jobs after one threw")
    }
}
