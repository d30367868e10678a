import Foundation
import SwitchboardCore
import Testing
import Yams

/// The one YAML writer and the one JSON writer: what they write reads back as the values given.
@Suite struct WriterTests {
    @Test func valuesThatLookLikeNumbersBooleansOrNullStayStrings() throws {
        let texts = ["8083", "true", "yes", "off", "~", "null", "1e3", "0x1F", "plain", "a: b", "#x", "- item", "'quoted'", "\"dq\"", "line 1\nline 2\n", ""]
        let pairs = texts.enumerated().map { ("k\($0.offset)", YAMLWriter.text($0.element)) }
        let text = try YAMLWriter.document(YAMLWriter.mapping(pairs + [("number", YAMLWriter.number(3)), ("flag", true)]), header: ["A header", "on two lines"])
        #expect(text.hasPrefix("# A header\n# on two lines\n"))
        let read = try #require(try Yams.load(yaml: text) as? [String: Any])
        for (index, expected) in texts.enumerated() {
            #expect(read["k\(index)"] as? String == expected, "\(expected)")
        }
        #expect(read["number"] as? Int == 3)
        #expect(read["flag"] as? Bool == true)
    }

    @Test func mappingsKeepTheirOrderAndStringMapsAreSorted() throws {
        let text = try YAMLWriter.document(YAMLWriter.mapping([("zeta", "1"), ("alpha", YAMLWriter.strings(["b": "2", "a": "1"]))]))
        #expect(text.range(of: "zeta")!.lowerBound < text.range(of: "alpha")!.lowerBound)
        #expect(text.range(of: "a: ")!.lowerBound < text.range(of: "b: ")!.lowerBound)
    }

    @Test func severalDocumentsAreSeparated() throws {
        let text = try YAMLWriter.documents([YAMLWriter.mapping([("a", "1")]), YAMLWriter.mapping([("b", "2")])])
        let documents = try Array(Yams.load_all(yaml: text))
        #expect(documents.count == 2)
    }

    @Test func jsonIsSortedIndentedWithISODatesAndUnescapedSlashes() throws {
        struct Value: Encodable {
            var url = "http://x/y"
            var at = Date(timeIntervalSince1970: 0)
            var b = 1
            var a = "two"
        }
        let text = try JSONWriter.pretty(Value())
        #expect(text.contains("\"url\" : \"http://x/y\""))
        #expect(text.contains("\"at\" : \"1970-01-01T00:00:00Z\""))
        #expect(text.range(of: "\"a\"")!.lowerBound < text.range(of: "\"b\"")!.lowerBound)
        #expect(text.contains("\n  "))
        let compact = String(decoding: try JSONWriter.compact(Value()), as: UTF8.self)
        #expect(!compact.contains("\n"))
        #expect(compact.hasPrefix("{\"a\":\"two\""))
    }
}
