import Crypto
import Foundation
import StackTesting
@testable import SwitchboardCore
@testable import SwitchboardPlugins

/// Builds artifact files for tests: with the system's tar for well-formed archives, and with
/// Python's tarfile/zipfile for hostile ones (entries with `..`, absolute paths, outside links).
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
        let spec = entries.map { "\($0.0)\u{1f}\($0.1)" }.joined(separator: "\u{1e}")
        let script: String
        switch kind {
        case .tarGz:
            script = """
                import io, os, sys, tarfile
                out, spec = sys.argv[1], sys.argv[2]
                with tarfile.open(out, "w:gz") as tar:
                    for item in spec.split("\\x1e"):
                        name, content = item.split("\\x1f")
                        info = tarfile.TarInfo(name)
                        if content.startswith("->"):
                            info.type = tarfile.SYMTYPE; info.linkname = content[2:]
                            tar.addfile(info)
                        elif content.startswith("=>"):
                            info.type = tarfile.LNKTYPE; info.linkname = content[2:]
                            tar.addfile(info)
                        else:
                            data = os.urandom(int(content[8:])) if content.startswith("@random:") else content.encode()
                            info.size = len(data)
                            tar.addfile(info, io.BytesIO(data))
                """
        case .zip:
            script = """
                import os, sys, zipfile
                out, spec = sys.argv[1], sys.argv[2]
                with zipfile.ZipFile(out, "w") as z:
                    for item in spec.split("\\x1e"):
                        name, content = item.split("\\x1f")
                        if content.startswith("->"):
                            info = zipfile.ZipInfo(name); info.create_system = 3
                            info.external_attr = (0o120777 << 16)
                            z.writestr(info, content[2:])
                        else:
                            z.writestr(name, os.urandom(int(content[8:])) if content.startswith("@random:") else content)
                """
        case .jar:
            try Data(entries.first?.1.utf8 ?? "".utf8).write(to: file)
            return file
        }
        try await python(script, [file.path, spec])
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
                FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
                if !isDirectory.boolValue { items.append(path) }
            }
        }
        return items.sorted()
    }
}
