import Foundation
import TestSupport
@testable import SwitchboardCore
@testable import SwitchboardPlugins
import Testing

@Suite struct ArchiveTests {
    func extract(_ file: URL, _ kind: PluginArtifact.Kind) throws(PluginError) -> (URL, Int) {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let artifact = PluginArtifact(name: "p", version: "1", kind: kind, source: file.path, sha256: "", classes: [])
        let count = try ArchiveExtractor(artifact: artifact, file: file, destination: destination).extract()
        return (destination, count)
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func unpacksFilesFoldersAndInsideLinks(kind: PluginArtifact.Kind) async throws {
        let folder = try ArtifactFixtures.folder("archive")
        let file = try await ArtifactFixtures.archive(kind, entries: [
            ("plugin-1.0/lib/a.jar", "AAA"), ("./plugin-1.0/lib/b.jar", "BBBB"), ("plugin-1.0/current", "->lib"),
        ], in: folder)
        let (destination, count) = try extract(file, kind)
        #expect(count == 2)
        #expect(ArtifactFixtures.listing(destination) == ["plugin-1.0/current -> lib", "plugin-1.0/lib/a.jar", "plugin-1.0/lib/b.jar"])
        #expect(try String(contentsOf: destination.appendingPathComponent("plugin-1.0/lib/b.jar"), encoding: .utf8) == "BBBB")
    }

    @Test func tarHardLinksAndLongNamesWork() async throws {
        let folder = try ArtifactFixtures.folder("archive")
        let long = String(repeating: "deep/", count: 30) + "x.jar"
        let file = try await ArtifactFixtures.archive(.tarGz, entries: [(long, "L"), ("copy.jar", "=>\(long)")], in: folder)
        let (destination, count) = try extract(file, .tarGz)
        #expect(count == 2)
        #expect(try String(contentsOf: destination.appendingPathComponent("copy.jar"), encoding: .utf8) == "L")
    }

    @Test func aRealTarFromTheSystemTarUnpacks() async throws {
        let folder = try ArtifactFixtures.folder("systar")
        let content = folder.appendingPathComponent("content/lib")
        try FileManager.default.createDirectory(at: content, withIntermediateDirectories: true)
        let big = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: content.appendingPathComponent("big.jar"))
        let file = folder.appendingPathComponent("p.tar.gz")
        let tar = try await ShellCommand.run("/bin/tar", ["-czf", file.path, "-C", folder.appendingPathComponent("content").path, "."])
        #expect(tar.status == 0)
        let (destination, _) = try extract(file, .tarGz)
        #expect(try Data(contentsOf: destination.appendingPathComponent("lib/big.jar")) == big)
    }

    @Test(arguments: [
        ("../evil.jar", "x"), ("/etc/evil.jar", "x"), ("lib/../../evil.jar", "x"),
        ("lib/link", "->../../etc/passwd"), ("lib/abs", "->/etc/passwd"),
    ])
    func entriesEscapingTheFolderAreRefused(entry: String, content: String) async throws {
        for kind in [PluginArtifact.Kind.tarGz, .zip] {
            let folder = try ArtifactFixtures.folder("evil")
            let file = try await ArtifactFixtures.archive(kind, entries: [("lib/ok.jar", "ok"), (entry, content)], in: folder)
            #expect(throws: PluginError.self, "\(kind) \(entry)") { try extract(file, kind) }
            do {
                _ = try extract(file, kind)
            } catch {
                #expect(error.message.contains("outside the plugin folder"), "\(error.message)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/evil.jar"))
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func truncatedArchivesAreRefused(kind: PluginArtifact.Kind) async throws {
        let folder = try ArtifactFixtures.folder("trunc")
        let file = try await ArtifactFixtures.archive(kind, entries: [("lib/a.jar", "@random:400000"), ("lib/b.jar", "@random:400000")], in: folder)
        let data = try Data(contentsOf: file)
        try data.prefix(data.count / 2).write(to: file)
        #expect(throws: PluginError.self) { try extract(file, kind) }
        do {
            _ = try extract(file, kind)
        } catch {
            #expect(error.message.contains("truncated"), "\(error.message)")
        }
    }

    @Test func garbageIsNotAnArchive() throws {
        let folder = try ArtifactFixtures.folder("garbage")
        let file = folder.appendingPathComponent("x")
        try Data("this is not gzip".utf8).write(to: file)
        #expect(throws: PluginError.self) { try extract(file, .tarGz) }
        #expect(throws: PluginError.self) { try extract(file, .zip) }
    }

    @Test func pathRules() {
        #expect(EntryPath.components("./a//b/./c") == ["a", "b", "c"])
        #expect(EntryPath.components("a/../b") == nil)
        #expect(EntryPath.components("/a") == nil)
        #expect(EntryPath.linkStaysInside(entry: ["a", "b", "l"], target: "../c"))
        #expect(EntryPath.linkStaysInside(entry: ["a", "l"], target: "../c"))
        #expect(!EntryPath.linkStaysInside(entry: ["l"], target: "../c"))
        #expect(!EntryPath.linkStaysInside(entry: ["a", "l"], target: "/etc"))
    }
}
