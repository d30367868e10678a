import Foundation
import KafkaLag
@testable import SwitchboardAPI
import SwitchboardCore
@testable import SwitchboardDataFlow
import SwitchboardMetrics
import SwitchboardSnapshot
@testable import SwitchboardWeb
import Testing

/// Dead letters apart from the broker: Connect's headers made into what the API shows (scrubbed),
/// their history and growth, the gauge, and the page section for readers and viewers.
@Suite struct DeadLetterTests {
    static let known = "known-Secret-Value-7"

    static func sink(config: [String: String]) -> ConnectorView {
        ConnectorView(name: "pay_archive", cluster: "ingest", team: "pay", state: "RUNNING", type: "sink", connectorClass: "FileStreamSink", worker: nil, trace: nil,
                      tasks: [], config: config, source: nil, managed: true, ownership: .managed, drift: [], stateDrift: nil, autoRestart: AutoRestartPolicy())
    }

    @Test func connectsHeadersBecomeARecordWithEverySecretScrubbed() throws {
        let raw = RawDeadLetter(partition: 2, offset: 41, timestampMs: 1_800_000_000_123, headers: [
            ("__connect.errors.topic", "pay.orders"), ("__connect.errors.partition", "0"), ("__connect.errors.offset", "17"),
            ("__connect.errors.connector.name", "pay_archive"), ("__connect.errors.task.id", "1"), ("__connect.errors.stage", "VALUE_CONVERTER"),
            ("__connect.errors.class.name", "org.apache.kafka.connect.json.JsonConverter"),
            ("__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException"),
            ("__connect.errors.exception.message", "login refused: password=hunter2-planted for \(Self.known)"),
            ("__connect.errors.exception.stacktrace", "org.apache.kafka.connect.errors.DataException: outer\n\tat x.y(Z.java:1)\nCaused by: java.io.IOException: key \(Self.known) rejected\n\tat a.b(C.java:2)"),
            ("x-app-token", "token=app-planted-value"),
        ])
        let record = DeadLetterPeek.record(raw, known: .init([Self.known]))
        #expect(record.partition == 2 && record.offset == 41 && record.at == Date(timeIntervalSince1970: 1_800_000_000.123))
        #expect(record.originalTopic == "pay.orders" && record.originalPartition == 0 && record.originalOffset == 17 && record.taskID == 1)
        #expect(record.stage == "VALUE_CONVERTER" && record.stageClass == "org.apache.kafka.connect.json.JsonConverter")
        #expect(record.exceptionClass == "org.apache.kafka.connect.errors.DataException")
        #expect(record.cause?.hasPrefix("java.io.IOException: key") == true, "the innermost cause: \(record.cause ?? "none")")
        let shown = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        for secret in ["hunter2-planted", Self.known, "app-planted-value"] { #expect(!shown.contains(secret), "\(secret) in \(shown)") }
        // Missing or malformed headers: the fields are absent, not invented.
        let bare = DeadLetterPeek.record(RawDeadLetter(partition: 0, offset: 0, timestampMs: nil, headers: [("__connect.errors.partition", "x")]), known: .init([String]()))
        #expect(bare.originalPartition == nil && bare.at == nil && bare.stage == nil && bare.cause == nil)
    }

    @Test func theTopicComesFromASinksConfigOnly() {
        #expect(DeadLetters.topic(of: Self.sink(config: [DeadLetters.topicKey: " dlq.pay.archive "])) == "dlq.pay.archive")
        #expect(DeadLetters.topic(of: Self.sink(config: [DeadLetters.topicKey: ""])) == nil)
        var source = Self.sink(config: [DeadLetters.topicKey: "dlq"])
        source.type = "source"
        #expect(DeadLetters.topic(of: source) == nil)
    }

    @Test func historyKeepsDeadLettersOnlyWhereThereAreAndTheirGrowthPerMinute() {
        let history = FlowHistory(capacity: 10, resolution: 60)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        history.record("c/plain", lag: 1, counter: 1, at: start)
        #expect(history.record("c/s", lag: 0, counter: 0, deadLetters: 0, at: start).deadLettersPerMinute == nil, "no growth from one reading")
        #expect(history.record("c/s", lag: 0, counter: 0, deadLetters: 30, at: start.addingTimeInterval(60)).deadLettersPerMinute == 30)
        #expect(history.record("c/s", lag: 0, counter: 0, deadLetters: 90, at: start.addingTimeInterval(120)).deadLettersPerMinute == 45)
        #expect(history.series("c/s").samples.map(\.deadLetters) == [0, 30, 90])
        #expect(history.series("c/plain").samples.map(\.deadLetters) == [nil])
        // Dead letters that start later are aligned with the samples before them.
        history.record("c/plain", lag: 1, counter: 2, deadLetters: 5, at: start.addingTimeInterval(60))
        #expect(history.series("c/plain").samples.map(\.deadLetters) == [nil, 5])
    }

    @Test func theGaugeCarriesTheTeamAndTopicOfSinksWithADeadLetterQueue() {
        let withQueue = Self.sink(config: [DeadLetters.topicKey: "dlq.pay.archive"])
        var without = Self.sink(config: [:])
        without.name = "pay_other"
        let snapshot = Snapshot(clusters: [:], connectors: [withQueue.key: withQueue, without.key: without], ordered: [withQueue.key, without.key], takenAt: Date())
        let metrics = ServerMetrics()
        metrics.published(snapshot)
        metrics.readingsChanged(.init(deadLetters: [withQueue.key: 7, without.key: 3]))
        let text = String(decoding: metrics.emit(), as: UTF8.self)
        #expect(text.contains(#"switchboard_sink_dead_letter_records{cluster="ingest",connector="pay_archive",team="pay",topic="dlq.pay.archive"} 7"#), "\(text)")
        #expect(!text.contains(#"connector="pay_other",team="pay",topic"#))
    }

    @Test func readersSeeTheErrorsEscapedAndViewersTheCountOnly() {
        let record = DeadLetters.Record(partition: 0, offset: 3, originalTopic: "pay.orders", originalPartition: 1, originalOffset: 9, stage: "VALUE_CONVERTER",
                                        exceptionClass: "DataException", exceptionMessage: "<script>alert(1)</script>", cause: "java.io.EOFException: end")
        let reader = DeadLetterSection.render(DeadLetters(cluster: "ingest", connector: "pay_archive", topic: "dlq.pay", records: 4, perMinute: 2, headersEnabled: true, recent: [record])).markup
        #expect(reader.contains("<strong>4</strong> record(s)") && reader.contains("growing by 2.0 a minute") && reader.contains("VALUE_CONVERTER"))
        #expect(reader.contains("pay.orders[1] @ 9") && reader.contains("java.io.EOFException: end"))
        #expect(!reader.contains("<script>") && reader.contains("&lt;script&gt;"))
        let viewer = DeadLetterSection.render(DeadLetters(cluster: "ingest", connector: "pay_archive", topic: "dlq.pay", records: 4, headersEnabled: true,
                                                           recentNote: "the records' errors are shown to readers and above")).markup
        #expect(viewer.contains("<strong>4</strong>") && viewer.contains("readers and above") && !viewer.contains("<table"))
        #expect(DeadLetterSection.render(nil).markup.isEmpty)
    }
}
