import Crypto
import Foundation
import TestSupport
@testable import SwitchboardCore
@testable import SwitchboardPlugins

/// Builds artifact files for tests (hostile ones too, through ``ArchiveBuilder``).
enum ArtifactFixtures {
    static func folder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func sha256(_ file: URL) throws -> String {
        SHA256.hash(data: try Data(contentsOf: file)).map { String(format: "%02x", $0) }.joined()
    }

    /// Runs a Python script with `args`; fails the test setup if Python fails.
    static func python(_ script: String, _ args: [String]) async throws {
        let result = try await ShellCommand.run("/usr/bin/env", ["python3", "-c", script] + args)
        guard result.status == 0 else { throw PluginError("python3 failed: \(result.output)") }
    }

    /// A tar.gz (or zip) whose entries are given as (name, content), (name, "->target") for a
    /// symbolic link, (name, "=>target") for a hard link, or (name, "@random:N") for N random bytes.
    static func archive(_ kind: PluginArtifact.Kind, entries: [(String, String)], in folder: URL, name: String = "plugin") async throws -> URL {
        let file = folder.appendingPathComponent("\(name).\(kind.rawValue)")
        if kind == .jar {
            try Data(entries.first?.1.utf8 ?? "".utf8).write(to: file)
        } else {
            try await ArchiveBuilder.write(entries.map { ($0.0, $0.1) }, to: file)
        }
        return file
    }

    static func artifact(_ file: URL, name: String = "plugin", kind: PluginArtifact.Kind, version: String = "1.0", classes: [String] = []) throws -> PluginArtifact {
        PluginArtifact(name: name, version: version, kind: kind, source: file.path, sha256: try sha256(file), classes: classes)
    }

    /// Every file below `folder`, as relative paths, with links shown as `path -> target`.
    static func listing(_ folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var items: [String] = []
        while let path = enumerator.nextObject() as? String {
            let full = folder.appendingPathComponent(path).path
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full) {
                items.append("\(path) -> \(target)")
            } else {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)  // isDirectory is the answer wanted
                if !isDirectory.boolValue { items.append(path) }
            }
        }
        return items.sorted()
    }
}
