import Foundation
import LocalStack
import StackTesting
import TestSupport
import Testing

/// Bad input to `plugins install`, the archives family: hostile or broken artifacts, a corrupt
/// state file, stores that refuse or never answer. Each ends with one clear error and the
/// destination byte for byte as it was.
@Suite("Bad plugin installs change nothing")
struct PluginInstallBadInputTests {
    /// `plugins install` of a hostile or broken artifact over a destination that holds an
    /// installed plugin: one clear error, and the destination byte for byte as it was.
    struct InstallCase: CustomStringConvertible, Sendable {
        var name: String
        var expected: [String]
        /// The artifact's entries (see ``ArchiveBuilder``).
        var entries: [ArchiveBuilder.Entry] = [("lib/ok.jar", "ok")]
        var type = "tar.gz"
        var extraArguments: [String] = []
        /// Changes the manifest text, the destination, or the store before the install.
        var tamper: @Sendable (_ manifest: inout String, _ destination: URL) async throws -> Void = { _, _ in }
        var description: String { name }
    }

    static let installs: [InstallCase] = [
        InstallCase(name: "a link through a link", expected: ["goes through the link"], entries: [("ok.jar", "ok"), ("d", "->."), ("d/d/x", "->../..")]),
        InstallCase(name: "an absolute path", expected: ["outside the plugin folder"], entries: [("/tmp/evil.jar", "x")], type: "zip"),
        InstallCase(name: "a path with ..", expected: ["outside the plugin folder"], entries: [("lib/../../evil.jar", "x")]),
        InstallCase(name: "a link out of the folder", expected: ["outside the plugin folder"], entries: [("lib/passwd", "->../../../etc/passwd")], type: "zip"),
        InstallCase(name: "more than the unpacked cap", expected: ["cap"], entries: [("big.jar", "@random:3000000")], extraArguments: ["--max-unpacked-size", "1"]),
        InstallCase(name: "a checksum that does not match", expected: ["sha256", "expects"]) { manifest, _ in
            manifest = manifest.replacingOccurrences(of: #"sha256: [0-9a-f]{64}"#, with: "sha256: \(String(repeating: "0", count: 64))", options: .regularExpression)
        },
        InstallCase(name: "a corrupt state file", expected: [".switchboard-plugins.json is corrupt"]) { _, destination in
            try Data(#"{"../../etc": {"version": "1", "sha256": "x"}}"#.utf8).write(to: destination.appendingPathComponent(".switchboard-plugins.json"))
        },
        InstallCase(name: "a store that refuses connections", expected: ["connection refused"], extraArguments: ["--store", "http://127.0.0.1:\(PortProbe.ephemeral())/plugins"]),
        InstallCase(name: "a store that never answers", expected: ["no answer within 3 s"], extraArguments: ["--timeout", "3"]) { manifest, _ in
            let port = try await FaultServer.start(.silent).port
            manifest = manifest.replacingOccurrences(of: #"url: .*"#, with: "url: http://127.0.0.1:\(port)/plugins", options: .regularExpression)
        },
    ]

    @Test(arguments: installs) func pluginInstalls(_ item: InstallCase) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("install-\(UUID().uuidString)")
        let store = scratch.appendingPathComponent("store")
        let good = store.appendingPathComponent("good/1/good-1.jar")
        try FileManager.default.createDirectory(at: good.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("a jar".utf8).write(to: good)
        let bad = store.appendingPathComponent("bad/1/bad-1.\(item.type)")
        try FileManager.default.createDirectory(at: bad.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await ArchiveBuilder.write(item.entries, to: bad)
        func sha(_ file: URL) async throws -> String { String(try await ShellCommand.run("/usr/bin/sha256sum", [file.path]).output.prefix(64)) }
        let artifact = { (name: String, type: String, sha: String) in "  - name: \(name)\n    version: \"1\"\n    type: \(type)\n    source: https://example.invalid/x\n    sha256: \(sha)\n" }
        let manifestFile = scratch.appendingPathComponent("plugins.yaml")
        let destination = scratch.appendingPathComponent("plugins")
        // First the good plugin alone, then the set with the bad one.
        try ("store:\n  url: \(store.path)\nartifacts:\n" + artifact("good", "jar", try await sha(good)) + "clusters:\n  c: [good]\n").write(to: manifestFile, atomically: true, encoding: .utf8)
        let first = try await CLI.run(["plugins", "install", "--manifest", manifestFile.path, "--cluster", "c", "--dest", destination.path])
        try #require(first.status == 0, "\(first.all)")
        var manifest = "store:\n  url: \(store.path)\nartifacts:\n" + artifact("good", "jar", try await sha(good)) + artifact("bad", item.type, try await sha(bad)) + "clusters:\n  c: [good, bad]\n"
        try await item.tamper(&manifest, destination)
        try manifest.write(to: manifestFile, atomically: true, encoding: .utf8)
        let before = ArchiveListing.files(destination)
        let started = ContinuousClock.now
        let result = try await CLI.run(["plugins", "install", "--manifest", manifestFile.path, "--cluster", "c", "--dest", destination.path] + item.extraArguments)
        #expect(result.status == 1, "\(item.name): \(result.all)")
        for text in item.expected { #expect(result.stderr.contains(text), "\(item.name): \(result.stderr)") }
        #expect(result.stderr.contains("Nothing was changed"), "\(item.name): \(result.stderr)")
        #expect(ArchiveListing.files(destination) == before, "\(item.name): the destination changed")
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil.jar"))
    }
}

/// Every file below a folder with its bytes, and links with their targets.
enum ArchiveListing {
    static func files(_ folder: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: folder.path)
        while let path = walker?.nextObject() as? String {
            let full = folder.appendingPathComponent(path)
            // `try?`: an entry that is not a link has no destination; a folder has no contents to compare.
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full.path) {
                files[path] = Data("-> \(target)".utf8)
            } else if let data = try? Data(contentsOf: full) {
                files[path] = data
            }
        }
        return files
    }
}
