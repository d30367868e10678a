import ConnectClient
import Foundation
import StackTesting
import TestSupport
import Testing

/// A FileStream source -> topic -> FileStream sink pipeline, created through the Connect REST
/// API of the real local stack.
@Suite("Local stack pipeline", .tags(.realStack))
struct PipelineTests {
    @Test func everyLineOfTheInputArrivesInTheOutputFile() async throws {
        try await TestStack.shared.up()
        let client = TestStack.shared.client("alpha")
        let name = TestStack.uniqueName("pipeline")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = folder.appendingPathComponent("in.txt")
        let output = folder.appendingPathComponent("out.txt")
        let lines = (1...500).map { "line \($0) of \(name)" }
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)

        let topic = "\(name)-lines"
        try await client.putConfig("\(name)-source", config: [
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "file": input.path, "topic": topic, "tasks.max": "1",
        ])
        try await client.putConfig("\(name)-sink", config: [
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "file": output.path, "topics": topic, "tasks.max": "1",
        ])

        // Connect delivers at least once: a source task restarted by a rebalance before it
        // committed its offsets reads its file again, so lines may arrive twice, never not at all.
        let received = try await eventually(timeout: .seconds(240), "all \(lines.count) lines in \(output.path)") { () -> Set<String>? in
            guard let text = try? String(contentsOf: output, encoding: .utf8) else { return nil }
            let got = Set(text.split(separator: "\n").map(String.init))
            return got.isSuperset(of: lines) ? got : nil
        }
        #expect(received == Set(lines), "nothing but the input's lines arrives")

        try await client.delete("\(name)-source")
        try await client.delete("\(name)-sink")
    }
}

extension Tag {
    /// Needs the real local stack (broker and Connect workers).
    @Tag static var realStack: Self
}
