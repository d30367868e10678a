import Foundation

/// A store that is a directory (a `file://` URL): a mounted volume or a shared folder.
public struct FileArtifactStore: ArtifactStore {
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    public var description: String { root.absoluteString }

    func location(_ path: String) -> URL { root.appendingPathComponent(path) }

    public func contains(_ path: String) async throws(PluginError) -> Bool {
        FileManager.default.fileExists(atPath: location(path).path)
    }

    public func download(_ path: String, to file: URL) async throws(PluginError) -> String {
        let source = location(path)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw PluginError("The artifact store \(description) has no \(path) (run `switchboard plugins mirror` first).")
        }
        do {
            try? FileManager.default.removeItem(at: file)  // a leftover, or nothing; copyItem fails loudly if it stayed
            try FileManager.default.copyItem(at: source, to: file)
            return try RunningDigest.of(file: file)
        } catch {
            throw PluginError("Could not read \(source.path) from the artifact store: \(error)")
        }
    }

    public func upload(_ path: String, from file: URL) async throws(PluginError) {
        let target = location(path)
        let partial = target.appendingPathExtension("partial")
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: partial)  // as above
            try FileManager.default.copyItem(at: file, to: partial)
            try? FileManager.default.removeItem(at: target)  // the older copy; moveItem fails loudly if it stayed
            try FileManager.default.moveItem(at: partial, to: target)
        } catch {
            throw PluginError("Could not write \(target.path) to the artifact store: \(error)")
        }
    }
}
