import Foundation
import SwitchboardCLI
import TestSupport
import Testing

/// The commands run in process, without the real stack: argument checks, what they print (through
/// the scrubber) and their exit codes. The end-to-end CLI tests run the built binary against the
/// real stack.
@Suite struct CommandLineTests {
    /// Runs `arguments` as `switchboard` would; returns the exit code, stdout and stderr.
    static func run(_ arguments: String...) async -> (code: Int32, out: String, err: String) {
        let (code, capture) = await Output.capturing { await SwitchboardCommandLine.run(arguments) }
        return (code, capture.standardOutput, capture.standardError)
    }

    @Test func helpTeachesWithExamplesAndExitsZero() async {
        let (code, out, _) = await Self.run("--help")
        #expect(code == 0)
        #expect(out.contains("switchboard validate --catalog examples/catalog"))
        let (serveCode, serveHelp, _) = await Self.run("serve", "--help")
        #expect(serveCode == 0 && serveHelp.contains("--users-file") && serveHelp.contains("Replicas:"))
    }

    @Test func aMisspeltCommandOrFlagIsAUsageError() async {
        let (code, _, err) = await Self.run("valdiate")
        #expect(code == 64)
        #expect(err.contains("valdiate"))
        let (flagCode, _, flagErr) = await Self.run("plan", "--catalgo", "x")
        #expect(flagCode == 64 && flagErr.contains("--catalgo"))
    }

    @Test func serveRefusesToStartWithoutAWayToSignIn() async {
        let (code, _, err) = await Self.run("serve", "--catalog", "examples/catalog")
        #expect(code == 64)
        #expect(err.contains("--users-file") && err.contains("--insecure-dev"))
    }

    @Test func validateNamesTheFileOfAProblemAndExitsOne() async throws {
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: http://127.0.0.1:1\n",
            "teams/payments/team.yaml": "members: [alice]\n",
            "teams/payments/connectors/orders.yaml": "name: orders\ncluster: nowhere\nclass: org.example.Sink\n",
        ])
        let (code, out, err) = await Self.run("validate", "--catalog", folder.root.path)
        #expect(code == 1)
        #expect((out + err).contains("teams/payments/connectors/orders.yaml"))
        #expect((out + err).contains("nowhere"))
    }

    @Test func aCredentialInAnArgumentIsNeverEchoed() async {
        let (code, out, err) = await Self.run("connectors", "list", "--server", "http://admin:Hunter2-s3cr3t@127.0.0.1:1", "--token-file", "/nonexistent/token")
        #expect(code == 64)
        #expect(!(out + err).contains("Hunter2-s3cr3t"))
        #expect(err.contains("/nonexistent/token"))
    }

    @Test func aServerThatCannotBeReachedIsExitCodeFiveWithOneLine() async throws {
        let folder = try CatalogFolder(["token": "sbt_not-a-real-token\n"])
        let (code, _, err) = await Self.run("connectors", "list", "--server", "http://127.0.0.1:1", "--token-file", folder.root.appendingPathComponent("token").path, "--timeout", "5")
        #expect(code == 5)
        #expect(err.contains("connection refused") && err.contains("127.0.0.1:1"))
        #expect(err.split(separator: "\n").count == 1)
    }

    @Test func offsetsResetWithoutYesChangesNothingAndSaysWhy() async {
        let (code, _, err) = await Self.run("offsets", "reset", "ingest/payments_orders")
        #expect(code == 64)
        #expect(err.contains("--yes"))
    }
}
