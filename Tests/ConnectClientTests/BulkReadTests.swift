@testable import ConnectClient
import Foundation
import Testing

/// The bulk read decodes only the connectors whose text changed since the earlier read, and
/// refuses an answer it does not understand (naming the connector) rather than skipping it.
@Suite struct BulkReadTests {
    static func connector(_ name: String, state: String = "RUNNING", config: String = #""topics": "orders""#) -> String {
        #""\#(name)": {"info": {"name": "\#(name)", "config": {\#(config)}, "tasks": [{"connector": "\#(name)", "task": 0}], "type": "sink"}, "#
            + #""status": {"name": "\#(name)", "connector": {"state": "\#(state)", "worker_id": "w:8083"}, "tasks": [{"id": 0, "state": "\#(state)", "worker_id": "w:8083"}], "type": "sink"}}"#
    }

    func decode(_ body: String, reusing earlier: BulkRead? = nil) throws -> BulkRead {
        try Data(body.utf8).withUnsafeBytes { try BulkRead.decode($0, reusing: earlier) }
    }

    @Test func decodesWhatTheWholeAnswerDecoderDecodes() throws {
        // Braces, brackets, quotes and escapes inside strings do not end a value early.
        let tricky = #""transforms.x.regex": "a{2}[\"}\\]", "note": "\u00e9 \"quoted\" ,}", "empty": """#
        let body = "{ " + Self.connector("a", config: tricky) + " ,\n" + Self.connector(#"b\"c"#, state: "FAILED") + " }"
        let read = try decode(body)
        let whole = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(body.utf8))
        #expect(read.connectors == whole)
        #expect(read.connectors["a"]?.info?.config["transforms.x.regex"] == #"a{2}["}\]"#)
        #expect(read.connectors[#"b"c"#]?.state == .failed)
        #expect(try decode(" {} ").connectors.isEmpty)
    }

    @Test func keepsTheEarlierValueOfEveryConnectorWhoseTextIsTheSame() throws {
        let first = try decode("{" + Self.connector("a") + "," + Self.connector("b") + "}")
        // Mark the earlier values, to tell a kept value from one decoded again.
        var earlier = first
        earlier.connectors["a"]?.info?.config["kept"] = "yes"
        earlier.connectors["b"]?.info?.config["kept"] = "yes"
        let next = try decode("{" + Self.connector("a") + "," + Self.connector("b", state: "PAUSED") + "," + Self.connector("c") + "}", reusing: earlier)
        #expect(next.connectors["a"]?.info?.config["kept"] == "yes")
        #expect(next.connectors["b"]?.info?.config["kept"] == nil)
        #expect(next.connectors["b"]?.state == .paused)
        #expect(next.connectors["c"]?.state == .running)
        // A connector gone from the answer is gone from the read.
        #expect(try decode("{" + Self.connector("b") + "}", reusing: next).connectors.keys.sorted() == ["b"])
    }

    /// Where a string's bytes are (the same place: one string, not two equal ones).
    static func storage(_ string: String?) -> UnsafeRawPointer? {
        string?.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress!) } ?? nil
    }

    @Test func equalLongStringsAreStoredOnce() throws {
        let config = #""value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false""#
        let first = try decode("{" + Self.connector("a", config: config) + "," + Self.connector("b", config: config) + "}")
        let a = try #require(first.connectors["a"]?.info?.config), b = try #require(first.connectors["b"]?.info?.config)
        #expect(a == b)
        #expect(Self.storage(a["value.converter"]) == Self.storage(b["value.converter"]))
        let key = "value.converter.schemas.enable"
        #expect(Self.storage(a.keys.first { $0 == key }) == Self.storage(b.keys.first { $0 == key }))
        // A connector decoded again (its state changed) keeps its earlier strings.
        let next = try decode("{" + Self.connector("a", state: "FAILED", config: config) + "}", reusing: first)
        #expect(next.connectors["a"]?.state == .failed)
        #expect(Self.storage(next.connectors["a"]?.info?.config["value.converter"]) == Self.storage(a["value.converter"]))
    }

    @Test func anAnswerItDoesNotUnderstandIsAnErrorNamingWhere() throws {
        let bad: [(body: String, says: String)] = [
            ("{" + Self.connector("a") + "," + #""b": {"info": {"name": 3}}"# + "}", #"connector "b""#),
            ("{" + Self.connector("a") + "," + Self.connector("a") + "}", #""a" is there twice"#),
            ("{" + Self.connector("a") + " " + Self.connector("b") + "}", "',' or '}' after a value"),
            ("{" + Self.connector("a") + "} []", "the end of the answer"),
            ("[" + Self.connector("a") + "]", "'{'"),
            (#"{"a": "#, "a value"),
            (#"{"a": {"info": {}"#, "the end of an object or array"),
            (#"{"a: 1}"#, "the end of a string"),
            ("", "'{'"),
        ]
        for (body, says) in bad {
            #expect {
                _ = try decode(body)
            } throws: { error in
                "\(error)".contains(says)
            }
        }
    }
}
