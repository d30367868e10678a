import Foundation
import SwitchboardCore
#if canImport(Glibc)
import Glibc
#endif

/// Checks that archive entries stay inside the plugin's folder.
enum EntryPath {
    /// The entry's path as relative components, or nil when it must be refused: absolute paths and
    /// any `..` component (even one that would stay inside: plugin archives have no reason for it).
    /// `./` prefixes and doubled slashes are dropped; an entry that names only the root is empty.
    static func components(_ path: String) -> [String]? {
        guard !path.hasPrefix("/") else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else { return nil }
        return parts
    }

    /// Whether a link at `entry` (components) pointing to `target` resolves inside the root.
    static func linkStaysInside(entry: [String], target: String) -> Bool {
        guard !target.hasPrefix("/") else { return false }
        var resolved = Array(entry.dropLast())
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !resolved.isEmpty else { return false }
                resolved.removeLast()
            default:
                resolved.append(String(part))
            }
        }
        return true
    }

    /// A path with every link resolved; nil when it does not exist (or loops).
    static func realPath(_ path: String) -> String? {
        ResolvedPath.of(path)
    }

    /// Whether a resolved path is the root or inside it.
    static func isInside(_ real: String, root: URL) -> Bool {
        guard let realRoot = ResolvedPath.of(root.path) else { return false }
        return ResolvedPath.isInside(real, root: realRoot)
    }

    /// After extraction: every entry under the root, links resolved, must be inside the root.
    /// Links are checked but not descended into (a link to `.` would never end).
    static func checkEverythingInside(_ root: URL, what: String) throws(PluginError) {
        var folders = [""]
        while let folder = folders.popLast() {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            } catch {
                throw PluginError("\(what): the unpacked folder '\(folder)' cannot be listed: \((error as NSError).localizedDescription)")
            }
            for name in names {
                let relative = folder.isEmpty ? name : "\(folder)/\(name)"
                let path = root.appendingPathComponent(relative).path
                guard let real = realPath(path), isInside(real, root: root) else {
                    throw PluginError("\(what): '\(relative)' resolves outside the plugin folder after unpacking; the archive is refused.")
                }
                var info = stat()
                if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                    folders.append(relative)
                }
            }
        }
    }
}
