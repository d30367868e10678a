import Foundation
import StackTesting
import Testing

/// The operations CLI's own checks, before it calls any server: one clear error, an exit code,
/// nothing sent (the server named here does not exist, so a call would fail with exit 5).
@Suite struct OperationsCLITests {
    static let environment = ["SWITCHBOARD_SERVER": "http://127.0.0.1:1", "SWITCHBOARD_TOKEN": "sbt_planted-cli-token"]

    @Test func badInputIsRefusedBeforeAnyCall() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bad = folder.appendingPathComponent("offsets.json")
        try #"{"offsets": "zero"}"#.write(to: bad, atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["offsets", "alter", "beta/x", "--file", bad.path], 2, "one key"),
            (["offsets", "alter", "beta/x", "--file", folder.appendingPathComponent("missing.json").path], 2, "cannot read"),
            (["offsets", "reset", "beta/x"], 64, "--yes"),
            (["connectors", "pause", "no-slash"], 64, "connector"),
            (["connectors", "restart", "beta/x", "--task", "0", "--include-tasks"], 64, "--task"),
        ]
        for (arguments, code, words) in cases {
            let run = try await CLI.run(arguments, environment: Self.environment)
            #expect(run.status == code, "\(arguments): \(run.all)")
            #expect(run.all.contains(words), "\(arguments): \(run.all)")
            #expect(!run.all.contains("planted-cli-token"))
        }
        // Without a token: told where to get one.
        let none = try await CLI.run(["connectors", "list"], environment: ["SWITCHBOARD_SERVER": "http://127.0.0.1:1", "SWITCHBOARD_TOKEN": ""])
        #expect(none.status == 64 && none.all.contains("/tokens"), "\(none.all)")
    }
}
