import Dispatch
import Foundation
@testable import KafkaLag
import TestSupport
import Testing

/// The lag reader apart from a real broker: its arithmetic, its settings, and its deadlines
/// against a broker that refuses or never answers (a real broker cannot be made silent on
/// demand; the lag of a real sink is an integration test).
@Suite struct LagReaderTests {
    @Test func lagCountsEveryPartitionFromItsCommittedOffsetOrItsStart() throws {
        let watermarks: [String: [Int32: (Int64, Int64)]] = [
            "orders": [0: (0, 100), 1: (10, 50), 2: (0, 7)],
            "legacy": [0: (0, 20)],
        ]
        let lag = try LagReader.lag(
            topics: ["orders"],
            committed: ["orders": [0: 90, 1: 60], "legacy": [0: 5]],
            partitionCounts: ["orders": 3, "legacy": 1],
            watermarks: { topic, partition in
                guard let marks = watermarks[topic]?[partition] else { throw LagError("no partition \(topic)[\(partition)]") }
                return marks
            })
        // orders: 100-90 + max(0, 50-60) + (7-0, never committed) = 17; legacy: committed, not listed: 15.
        #expect(lag.perTopic == ["orders": 17, "legacy": 15])
        #expect(lag.total == 32)
    }

    @Test func aTopicTheBrokerDoesNotKnowHasNoLag() throws {
        let lag = LagReader.lag(topics: ["gone"], committed: [:], partitionCounts: [:], watermarks: { _, _ in
            Issue.record("no partition should be asked for")
            return (0, 0)
        })
        #expect(lag.perTopic == ["gone": 0])
    }

    @Test func anUnknownSettingIsRefusedNamingIt() {
        #expect {
            _ = try LagReader(bootstrapServers: "127.0.0.1:9", properties: ["no.such.setting": "1"])
        } throws: { error in
            "\(error)".contains("no.such.setting")
        }
    }

    @Test func aRefusingBrokerFailsWithinTheDeadlineNamingIt() async throws {
        let port = try await FaultServer.refusedPort()
        try await expectFailure(bootstrap: "127.0.0.1:\(port)")
    }

    @Test func aSilentBrokerFailsWithinTheDeadlineNamingIt() async throws {
        let server = try await FaultServer.start(.silent)
        defer { Task { await server.stop() } }
        try await expectFailure(bootstrap: "127.0.0.1:\(server.port)")
    }

    /// Metadata and committed offsets both end with an error naming the broker (and the group)
    /// within the reader's timeout; the margin is for a loaded machine, not a speed target.
    func expectFailure(bootstrap: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let reader = try LagReader(bootstrapServers: bootstrap)
        reader.timeoutMs = 1500
        let started = ContinuousClock.now
        // The calls block: off the cooperative pool, as LagPoller runs them.
        let errors: [String] = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var messages: [String] = []
                do { _ = try reader.partitionCounts() } catch { messages.append("\(error)") }
                do { _ = try reader.committedOffsets(group: "connect-payments_sink") } catch { messages.append("\(error)") }
                continuation.resume(returning: messages)
            }
        }
        let took = ContinuousClock.now - started
        #expect(errors.count == 2, "both calls fail: \(errors)", sourceLocation: sourceLocation)
        #expect(errors.first?.contains(bootstrap) == true, "\(errors)", sourceLocation: sourceLocation)
        #expect(errors.last?.contains("connect-payments_sink") == true, "\(errors)", sourceLocation: sourceLocation)
        #expect(took < .seconds(15), "took \(took)", sourceLocation: sourceLocation)
    }
}
