import Foundation
@testable import SwitchboardCore
@testable import SwitchboardPlugins
import Testing

@Suite struct InstallerTests {
    /// A store folder holding the given artifacts (uploaded through the mirror), and the artifacts.
    func storeWith(_ specs: [(String, PluginArtifact.Kind, [(String, String)])]) async throws -> (FileArtifactStore, [PluginArtifact]) {
        let folder = try ArtifactFixtures.folder("src")
        var artifacts: [PluginArtifact] = []
        for (name, kind, entries) in specs {
            let file = try await ArtifactFixtures.archive(kind, entries: entries, in: folder, name: name)
            artifacts.append(try ArtifactFixtures.artifact(file, name: name, kind: kind))
        }
        let store = FileArtifactStore(root: try ArtifactFixtures.folder("store"))
        let first = try await PluginMirror(store: store, base: folder).mirror(artifacts)
        #expect(first.uploaded.count == artifacts.count)
        let again = try await PluginMirror(store: store, base: folder).mirror(artifacts)
        #expect(again.uploaded.isEmpty && again.present.count == artifacts.count, "mirror is idempotent")
        return (store, artifacts)
    }

    @Test func installsSkipsUnchangedAndRemovesWhatLeftTheSet() async throws {
        let (store, artifacts) = try await storeWith([
            ("alpha", .tarGz, [("lib/a.jar", "A")]),
            ("beta", .zip, [("b.jar", "B")]),
            ("gamma", .jar, [("", "G")]),
        ])
        let destination = try ArtifactFixtures.folder("plugins")
        try FileManager.default.createDirectory(at: destination.appendingPathComponent("hand-installed"), withIntermediateDirectories: true)
        let installer = PluginInstaller(store: store)

        let first = try await installer.install(artifacts, into: destination)
        #expect(first.installed.sorted() == ["alpha", "beta", "gamma"])
        #expect(ArtifactFixtures.listing(destination).filter { !$0.hasPrefix(".") } == ["alpha/lib/a.jar", "beta/b.jar", "gamma/gamma-1.0.jar"])

        let second = try await installer.install(artifacts, into: destination)
        #expect(second == .init(installed: [], unchanged: ["alpha", "beta", "gamma"], removed: []))

        let third = try await installer.install([artifacts[0]], into: destination)
        #expect(third.removed == ["beta", "gamma"])
        let top = try FileManager.default.contentsOfDirectory(atPath: destination.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(top == ["alpha", "hand-installed"], "plugins that left the set go; what Switchboard did not install stays")
    }

    @Test func aChecksumMismatchLeavesTheFolderAsItWas() async throws {
        let (store, artifacts) = try await storeWith([("alpha", .tarGz, [("a.jar", "A")]), ("beta", .zip, [("b.jar", "B")])])
        let destination = try ArtifactFixtures.folder("plugins")
        let installer = PluginInstaller(store: store)
        _ = try await installer.install([artifacts[0]], into: destination)
        let before = ArtifactFixtures.listing(destination)
        let stateBefore = try Data(contentsOf: destination.appendingPathComponent(PluginInstaller.stateFile))

        var tampered = artifacts[1]
        tampered.sha256 = String(repeating: "0", count: 64)
        await #expect(throws: PluginError.self) { try await installer.install([artifacts[0], tampered], into: destination) }
        do {
            _ = try await installer.install([artifacts[0], tampered], into: destination)
        } catch {
            #expect(error.message.contains("sha256"))
            #expect(error.message.contains("Nothing was changed"))
        }
        #expect(ArtifactFixtures.listing(destination) == before)
        #expect(try Data(contentsOf: destination.appendingPathComponent(PluginInstaller.stateFile)) == stateBefore)
    }

    @Test func aMissingArtifactInTheStoreIsOneClearError() async throws {
        let store = FileArtifactStore(root: try ArtifactFixtures.folder("empty-store"))
        let artifact = PluginArtifact(name: "ghost", version: "1", kind: .jar, source: "/nowhere", sha256: String(repeating: "a", count: 64), classes: [])
        let destination = try ArtifactFixtures.folder("plugins")
        do {
            _ = try await PluginInstaller(store: store).install([artifact], into: destination)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("has no ghost/1/ghost-1.jar"))
        }
        #expect(ArtifactFixtures.listing(destination).isEmpty)
    }

    @Test func theMirrorRefusesAnUpstreamWithTheWrongChecksum() async throws {
        let folder = try ArtifactFixtures.folder("src")
        let file = try await ArtifactFixtures.archive(.zip, entries: [("a.jar", "A")], in: folder)
        var artifact = try ArtifactFixtures.artifact(file, kind: .zip)
        artifact.sha256 = String(repeating: "f", count: 64)
        let store = FileArtifactStore(root: try ArtifactFixtures.folder("store"))
        await #expect(throws: PluginError.self) { try await PluginMirror(store: store, base: folder).mirror([artifact]) }
        #expect(try await !store.contains(artifact.storePath))
    }
}

/// The install state file and the destination folder: a corrupt state file is an error before
/// anything moves, and a destination that did not exist is only created by a complete install.
@Suite struct InstallStateTests {
    func store() async throws -> (FileArtifactStore, [PluginArtifact]) {
        let folder = try ArtifactFixtures.folder("src")
        let file = try await ArtifactFixtures.archive(.zip, entries: [("a.jar", "A")], in: folder, name: "alpha")
        let artifact = try ArtifactFixtures.artifact(file, name: "alpha", kind: .zip)
        let store = FileArtifactStore(root: try ArtifactFixtures.folder("store"))
        _ = try await PluginMirror(store: store, base: folder).mirror([artifact])
        return (store, [artifact])
    }

    /// Every file below `folder` with its bytes, links with their targets: "byte for byte".
    func snapshot(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for path in ArtifactFixtures.listing(folder) {
            if path.contains(" -> ") { result[path] = Data(); continue }
            result[path] = try Data(contentsOf: folder.appendingPathComponent(path))
        }
        return result
    }

    @Test(arguments: [
        "not json at all",
        #"{"../../etc": {"version": "1", "sha256": "\#(String(repeating: "a", count: 64))"}}"#,
        #"{"a/b": {"version": "1", "sha256": "\#(String(repeating: "a", count: 64))"}}"#,
        #"{".": {"version": "1", "sha256": "\#(String(repeating: "a", count: 64))"}}"#,
        #"{"beta": {"version": "1"}}"#,
        #"{"beta": {"version": "1", "sha256": "short"}}"#,
        #"["beta"]"#,
    ])
    func aCorruptStateFileIsAnErrorAndNothingMoves(state: String) async throws {
        let (store, artifacts) = try await store()
        let destination = try ArtifactFixtures.folder("plugins")
        try FileManager.default.createDirectory(at: destination.appendingPathComponent("beta/lib"), withIntermediateDirectories: true)
        try Data("B".utf8).write(to: destination.appendingPathComponent("beta/lib/b.jar"))
        try Data(state.utf8).write(to: destination.appendingPathComponent(PluginInstaller.stateFile))
        let before = try snapshot(destination)
        do {
            _ = try await PluginInstaller(store: store).install(artifacts, into: destination)
            Issue.record("a corrupt state file was accepted: \(state)")
        } catch {
            #expect(error.message.contains("corrupt"), "\(error.message)")
            #expect(error.message.contains("Nothing was changed"))
        }
        #expect(try snapshot(destination) == before)
    }

    @Test func aDestinationThatDidNotExistIsNotCreatedOnFailureAndCreatedWholeOnSuccess() async throws {
        let (store, artifacts) = try await store()
        let parent = try ArtifactFixtures.folder("parent")
        let destination = parent.appendingPathComponent("deep/er/plugins")
        var broken = artifacts[0]
        broken.sha256 = String(repeating: "0", count: 64)
        await #expect(throws: PluginError.self) { try await PluginInstaller(store: store).install([broken], into: destination) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty, "nothing was created, not even a parent or a staging folder")

        let report = try await PluginInstaller(store: store).install(artifacts, into: destination)
        #expect(report.installed == ["alpha"])
        #expect(ArtifactFixtures.listing(destination).contains("alpha/a.jar"))
        #expect(FileManager.default.fileExists(atPath: destination.appendingPathComponent(PluginInstaller.stateFile).path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["deep"], "no staging folder is left behind")
    }

    @Test func aHostileArchiveLeavesTheDestinationByteForByte() async throws {
        let (store, artifacts) = try await store()
        let destination = try ArtifactFixtures.folder("plugins")
        _ = try await PluginInstaller(store: store).install(artifacts, into: destination)
        let before = try snapshot(destination)
        let folder = try ArtifactFixtures.folder("evil")
        let file = try await ArtifactFixtures.archive(.tarGz, entries: [("ok.jar", "ok"), ("d", "->."), ("d/d/x", "->../..")], in: folder, name: "evil")
        let evil = try ArtifactFixtures.artifact(file, name: "evil", kind: .tarGz)
        _ = try await PluginMirror(store: store, base: folder).mirror([evil])
        await #expect(throws: PluginError.self) { try await PluginInstaller(store: store).install(artifacts + [evil], into: destination) }
        #expect(try snapshot(destination) == before)
    }

    @Test func movesAreUndoneInReverse() throws {
        let folder = try ArtifactFixtures.folder("moves")
        for name in ["a", "b"] { try Data(name.utf8).write(to: folder.appendingPathComponent(name)) }
        var moves = PluginInstaller.Moves()
        try moves.move(folder.appendingPathComponent("a"), to: folder.appendingPathComponent("a2"))
        try moves.move(folder.appendingPathComponent("b"), to: folder.appendingPathComponent("a"))
        #expect(moves.undo())
        #expect(try String(contentsOf: folder.appendingPathComponent("a"), encoding: .utf8) == "a")
        #expect(try String(contentsOf: folder.appendingPathComponent("b"), encoding: .utf8) == "b")
    }
}
