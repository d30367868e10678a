import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths with every symbolic link resolved, for the checks that something stays inside a folder
/// (the catalog, a plugin folder) whatever links lie on the way.
public enum ResolvedPath {
    /// `path` with every link resolved; nil when it does not exist, or the links loop.
    public static func of(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether a resolved path is `root` (also resolved) or inside it.
    public static func isInside(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}
