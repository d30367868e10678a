import Foundation
import TestSupport
@testable import SwitchboardCore
@testable import SwitchboardPlugins
import Testing

/// Archives built to escape the plugin folder or to exhaust the disk: each is refused as a
/// whole, and nothing outside the folder is touched.
@Suite struct HostileArchiveTests {
    func extract(_ file: URL, _ kind: PluginArtifact.Kind, cap: Int64 = PluginInstaller.defaultMaxUnpackedBytes) throws(PluginError) -> URL {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)/plugin")
        let artifact = PluginArtifact(name: "p", version: "1", kind: kind, source: file.path, sha256: "", classes: [])
        _ = try ArchiveExtractor(artifact: artifact, file: file, destination: destination, maxUnpackedBytes: cap).extract()
        return destination
    }

    func expectRefused(_ file: URL, _ kind: PluginArtifact.Kind, cap: Int64 = PluginInstaller.defaultMaxUnpackedBytes, _ words: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            let destination = try extract(file, kind, cap: cap)
            Issue.record("\(kind) was unpacked into \(destination.path): \(ArtifactFixtures.listing(destination))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.message.contains(words), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains("refused") || error.message.contains("corrupt"), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func aLinkThroughALinkIsRefused(kind: PluginArtifact.Kind) async throws {
        // `d -> .` makes `d/d/x` the root's `x`; `x -> ../..` would then lead two levels up.
        let folder = try ArtifactFixtures.folder("linklink")
        let file = try await ArtifactFixtures.archive(kind, entries: [("a.jar", "A"), ("d", "->."), ("d/d/x", "->../..")], in: folder)
        expectRefused(file, kind, "goes through the link 'd'")
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func aFileThroughALinkIsRefused(kind: PluginArtifact.Kind) async throws {
        let folder = try ArtifactFixtures.folder("filelink")
        let file = try await ArtifactFixtures.archive(kind, entries: [("lib", "->."), ("lib/evil.jar", "E")], in: folder)
        expectRefused(file, kind, "goes through the link 'lib'")
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func aLinkWhoseTargetPassesThroughAnotherLinkIsCheckedWhereItReallyLeads(kind: PluginArtifact.Kind) async throws {
        // Lexically `l1/..` is the root; really, with `l1 -> .`, it is the root's parent.
        let folder = try ArtifactFixtures.folder("targetlink")
        let file = try await ArtifactFixtures.archive(kind, entries: [("a.jar", "A"), ("l1", "->."), ("l2", "->l1/../outside")], in: folder)
        expectRefused(file, kind, "l2")
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func aLinkToNothingIsRefused(kind: PluginArtifact.Kind) async throws {
        let folder = try ArtifactFixtures.folder("dangling")
        let file = try await ArtifactFixtures.archive(kind, entries: [("a.jar", "A"), ("lib/current", "->missing")], in: folder)
        expectRefused(file, kind, "does not hold")
    }

    @Test func aHardLinkThroughALinkIsRefused() async throws {
        let folder = try ArtifactFixtures.folder("hardlink")
        let file = try await ArtifactFixtures.archive(.tarGz, entries: [("up", "->."), ("copy.jar", "=>up/a.jar"), ("a.jar", "A")], in: folder)
        expectRefused(file, .tarGz, "goes through the link")
    }

    @Test(arguments: [PluginArtifact.Kind.tarGz, .zip])
    func theUnpackedSizeIsCapped(kind: PluginArtifact.Kind) async throws {
        let folder = try ArtifactFixtures.folder("bomb")
        let file = try await ArtifactFixtures.archive(kind, entries: [("a.jar", "@random:300000"), ("b.jar", "@random:300000")], in: folder)
        expectRefused(file, kind, cap: 500_000, "cap")
        _ = try extract(file, kind, cap: 700_000)
    }

    /// A tar whose first header's size field is raw bytes (GNU base-256 or octal text).
    func tarWithSizeField(_ field: [UInt8]) async throws -> URL {
        let folder = try ArtifactFixtures.folder("size")
        let file = folder.appendingPathComponent("p.tar.gz")
        let script = """
            import gzip, sys
            out, field = sys.argv[1], bytes.fromhex(sys.argv[2])
            header = bytearray(512)
            header[0:5] = b"a.jar"
            header[100:108] = b"0000644\\0"
            header[124:136] = field.ljust(12, b"\\0")[:12]
            header[156:157] = b"0"
            header[257:263] = b"ustar\\0"
            header[148:156] = b"        "
            checksum = sum(header)
            header[148:156] = ("%06o\\0 " % checksum).encode()
            with gzip.open(out, "wb") as f:
                f.write(bytes(header) + b"\\0" * 1024)
            """
        try await ArtifactFixtures.python(script, [file.path, field.map { String(format: "%02x", $0) }.joined()])
        return file
    }

    @Test func negativeAndOverflowingSizesAreCorrupt() async throws {
        expectRefused(try await tarWithSizeField([0xFF] + Array(repeating: 0xFF, count: 11)), .tarGz, "negative")
        expectRefused(try await tarWithSizeField([0x80] + Array(repeating: 0xFF, count: 11)), .tarGz, "overflows")
        expectRefused(try await tarWithSizeField(Array("99999999999".utf8)), .tarGz, "not a number")
        expectRefused(try await tarWithSizeField([0x80, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF]), .tarGz, "cap")
    }

    @Test func aNegativePaxSizeIsCorrupt() async throws {
        let folder = try ArtifactFixtures.folder("pax")
        let file = folder.appendingPathComponent("p.tar.gz")
        let script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as tar:
                info = tarfile.TarInfo("a.jar"); info.size = 1
                info.pax_headers = {"size": "-5"}
                tar.addfile(info, io.BytesIO(b"A"))
            """
        try await ArtifactFixtures.python(script, [file.path])
        expectRefused(file, .tarGz, "size")
    }
}
