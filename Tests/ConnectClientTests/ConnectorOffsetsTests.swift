import ConnectClient
import Foundation
import Testing

@Suite struct ConnectorOffsetsTests {
    @Test func connectsAnswersReadBackAsWritten() throws {
        let sink = #"{"offsets":[{"offset":{"kafka_offset":42},"partition":{"kafka_partition":0,"kafka_topic":"orders"}}]}"#
        let offsets = try JSONDecoder().decode(ConnectorOffsets.self, from: Data(sink.utf8))
        #expect(offsets.json == sink, "integers stay integers, keys sorted")
        #expect(offsets.offsets.first?.sinkPosition?.topic == "orders" && offsets.offsets.first?.sinkPosition?.offset == 42)
        let source = #"{"offsets":[{"offset":{"flag":true,"position":14,"ratio":0.5},"partition":{"filename":"/data/in.txt"}}]}"#
        let read = try JSONDecoder().decode(ConnectorOffsets.self, from: Data(source.utf8))
        #expect(read.offsets.first?.sinkPosition == nil)
        #expect(read.offsets.first?.offset?["flag"] == .bool(true) && read.offsets.first?.offset?["position"] == .number(14))
        // A null offset (remove it) is written as null, not left out.
        let remove = try ConnectorOffsets.parse(#"{"offsets":[{"partition":{"filename":"/data/in.txt"},"offset":null}]}"#)
        #expect(remove.json == #"{"offsets":[{"offset":null,"partition":{"filename":"/data/in.txt"}}]}"#)
    }

    @Test(arguments: [
        ("not JSON", "{offsets", "not JSON"),
        ("a list at the top", #"[{"partition":{"a":1}}]"#, "one key"),
        ("another key beside offsets", #"{"offsets":[],"extra":1}"#, "one key"),
        ("offsets not a list", #"{"offsets":"zero"}"#, "one key"),
        ("nothing to alter", #"{"offsets":[]}"#, "empty"),
        ("an entry that is a number", #"{"offsets":[1]}"#, "offsets[0]"),
        ("an empty partition", #"{"offsets":[{"partition":{},"offset":{"a":1}}]}"#, "offsets[0]"),
        ("an unknown key in an entry", #"{"offsets":[{"partition":{"a":1},"ofset":{"a":1}}]}"#, "offsets[0]"),
        ("an offset that is a number", #"{"offsets":[{"partition":{"a":1}},{"partition":{"a":2},"offset":5}]}"#, "offsets[1].offset"),
    ])
    func badAlterRequestsAreOneClearError(_ name: String, _ text: String, _ words: String) {
        #expect {
            try ConnectorOffsets.parse(text)
        } throws: { error in
            "\(error)".contains(words)
        }
    }
}
