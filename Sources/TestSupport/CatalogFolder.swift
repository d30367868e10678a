import Foundation

/// A catalog folder written from file contents into a temporary directory, for tests.
public struct CatalogFolder: Sendable {
    public let root: URL

    /// `files` maps paths relative to the catalog root to their contents.
    public init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        for (path, content) in files {
            try write(path, content)
        }
    }

    /// An existing folder (a repository's work tree), written and read the same way.
    public init(root: URL) {
        self.root = root
    }

    public func write(_ path: String, _ content: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
    }

    public func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(path))
    }
}
