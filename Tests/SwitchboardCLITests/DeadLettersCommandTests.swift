import Foundation
import SwitchboardAPI
@testable import SwitchboardCLI
import Testing

/// `switchboard deadletters get` as people read it: the count line, the note, a row per record.
@Suite struct DeadLettersCommandTests {
    @Test func theAnswerReadsAsACountAndARowPerRecord() {
        let record = DeadLetters.Record(partition: 0, offset: 3, at: Date(timeIntervalSince1970: 1_800_000_000), originalTopic: "pay.orders", originalPartition: 1, originalOffset: 9,
                                        stage: "VALUE_CONVERTER", exceptionClass: "DataException", exceptionMessage: "cannot parse", cause: "java.io.EOFException: end")
        let text = DeadLettersCommand.Get.text(DeadLetters(cluster: "ingest", connector: "pay_archive", topic: "dlq.pay", records: 4, perMinute: 1.5, headersEnabled: true, recent: [record]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "ingest/pay_archive: 4 record(s) in dlq.pay, 1.5 a minute")
        #expect(lines.contains { $0.contains("WHEN") && $0.contains("STAGE") }, "\(text)")
        #expect(lines.contains { $0.contains("pay.orders[1]@9") && $0.contains("VALUE_CONVERTER") && $0.contains("DataException: cannot parse") && $0.contains("java.io.EOFException: end") }, "\(text)")
        let viewer = DeadLettersCommand.Get.text(DeadLetters(cluster: "ingest", connector: "pay_archive", topic: "dlq.pay", headersEnabled: false, recentNote: "shown to readers and above"))
        #expect(viewer == "ingest/pay_archive: not read yet in dlq.pay\nshown to readers and above")
    }

    @Test func aConnectorIsClusterSlashName() async {
        let (code, capture) = await Output.capturing { await SwitchboardCommandLine.run(["deadletters", "get", "no-slash"]) }
        #expect(code == 64 && capture.standardError.contains("<cluster>/<name>"), "\(capture.standardError)")
    }
}
