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
}
