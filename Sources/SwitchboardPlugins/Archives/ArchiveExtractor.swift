import Foundation
import SwitchboardCore
import ZIPFoundation

/// Unpacks an artifact into its plugin folder: a jar is copied in, a zip or tar.gz is unpacked.
///
/// The whole artifact fails, and nothing of it is kept, when an entry would leave the folder:
/// absolute paths and `..`; an entry whose path goes through a link the archive declared
/// earlier (`d -> .` then `d/d/x`); a link that does not resolve to something inside the folder
/// once created. Links are created after every file, so nothing is ever written through one,
/// and at the end every real path in the folder is checked to be inside it. Sizes are checked
/// (negative or overflowing ones are corrupt) and the bytes unpacked are capped.
struct ArchiveExtractor {
    let artifact: PluginArtifact
    let file: URL
    /// The plugin's folder (created here).
    let destination: URL
    /// The most bytes the artifact may unpack to.
    var maxUnpackedBytes: Int64 = PluginInstaller.defaultMaxUnpackedBytes

    var what: String { "Artifact \(artifact.name) \(artifact.version)" }

    /// Returns the number of files written.
    @discardableResult
    func extract() throws(PluginError) -> Int {
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw PluginError("\(what): could not create \(destination.path): \(error)")
        }
        switch artifact.kind {
        case .jar:
            do {
                try FileManager.default.copyItem(at: file, to: destination.appendingPathComponent("\(artifact.name)-\(artifact.version).jar"))
            } catch {
                throw PluginError("\(what): could not copy the jar: \(error)")
            }
            return 1
        case .zip:
            let files = try extractZip()
            try EntryPath.checkEverythingInside(destination, what: what)
            return files
        case .tarGz:
            var tar = TarExtractor(root: destination, what: what, maxBytes: maxUnpackedBytes)
            try GzipReader.inflate(file: file, what: what) { chunk throws(PluginError) in try tar.consume(chunk) }
            let files = try tar.finish()
            try EntryPath.checkEverythingInside(destination, what: what)
            return files
        }
    }

    func extractZip() throws(PluginError) -> Int {
        let archive: Archive
        do {
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw PluginError("\(what) is not a readable zip archive (truncated or corrupt): \(error)")
        }
        var links = LinkList(root: destination, what: what)
        var files = 0
        var unpacked: Int64 = 0
        for entry in archive {
            guard let parts = EntryPath.components(entry.path) else {
                throw PluginError("\(what): the entry '\(entry.path)' would be written outside the plugin folder; the archive is refused.")
            }
            if parts.isEmpty { continue }
            try links.refuseThroughLink(parts)
            let target = destination.appendingPathComponent(parts.joined(separator: "/"))
            guard entry.uncompressedSize <= UInt64(maxUnpackedBytes) else {
                throw PluginError("\(what): the entry '\(entry.path)' unpacks to \(entry.uncompressedSize) bytes, more than the cap of \(maxUnpackedBytes); the archive is refused.")
            }
            do {
                switch entry.type {
                case .directory:
                    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                case .symlink:
                    var linkTarget = Data()
                    _ = try archive.extract(entry, skipCRC32: false) { chunk in
                        guard linkTarget.count + chunk.count <= 4096 else { throw PluginError("\(what): the link '\(entry.path)' has an implausibly long target; the archive is refused.") }
                        linkTarget.append(chunk)
                    }
                    try links.add(parts, target: String(decoding: linkTarget, as: UTF8.self))
                case .file:
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    guard FileManager.default.createFile(atPath: target.path, contents: nil) else {
                        throw PluginError("\(what): could not create '\(entry.path)'.")
                    }
                    let handle = try FileHandle(forWritingTo: target)
                    defer { try? handle.close() }  // the bytes were counted and written; close cannot lose them on Linux
                    // Written chunk by chunk, so that the cap holds whatever the entry claims its size is.
                    _ = try archive.extract(entry, skipCRC32: false) { chunk in
                        unpacked += Int64(chunk.count)
                        guard unpacked <= maxUnpackedBytes else {
                            throw PluginError("\(what) unpacks to more than the cap of \(maxUnpackedBytes) bytes; the archive is refused.")
                        }
                        try handle.write(contentsOf: chunk)
                    }
                    files += 1
                }
            } catch let error as PluginError {
                throw error
            } catch {
                throw PluginError("\(what): could not unpack '\(entry.path)' (the archive is truncated or corrupt): \(error)")
            }
        }
        try links.create()
        return files
    }
}

/// Symbolic links of an archive, checked when read and created once every file is written.
struct LinkList {
    let root: URL
    let what: String
    private var links: [([String], String)] = []
    /// The paths the archive declared as links, which no other entry may go through.
    private var paths: Set<String> = []

    init(root: URL, what: String) {
        self.root = root
        self.what = what
    }

    /// Refuses an entry whose path passes through a link declared earlier in the archive (its
    /// real place would be wherever the link leads, which the lexical check cannot know).
    func refuseThroughLink(_ entry: [String]) throws(PluginError) {
        guard !paths.isEmpty else { return }
        for length in 1..<max(entry.count, 1) where paths.contains(entry.prefix(length).joined(separator: "/")) {
            throw PluginError("\(what): the entry '\(entry.joined(separator: "/"))' goes through the link '\(entry.prefix(length).joined(separator: "/"))'; the archive is refused.")
        }
    }

    mutating func add(_ entry: [String], target: String) throws(PluginError) {
        try refuseThroughLink(entry)
        guard EntryPath.linkStaysInside(entry: entry, target: target) else {
            throw PluginError("\(what): the link '\(entry.joined(separator: "/"))' points to '\(target)', outside the plugin folder; the archive is refused.")
        }
        links.append((entry, target))
        paths.insert(entry.joined(separator: "/"))
    }

    /// Creates the links, then checks that each resolves to something that exists inside the root.
    func create() throws(PluginError) {
        for (entry, target) in links {
            let path = root.appendingPathComponent(entry.joined(separator: "/"))
            do {
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: target)
            } catch {
                throw PluginError("\(what): could not create the link '\(entry.joined(separator: "/"))': \((error as NSError).localizedDescription)")
            }
        }
        for (entry, target) in links {
            let path = root.appendingPathComponent(entry.joined(separator: "/")).path
            guard let real = EntryPath.realPath(path) else {
                throw PluginError("\(what): the link '\(entry.joined(separator: "/"))' points to '\(target)', which the archive does not hold; the archive is refused.")
            }
            guard EntryPath.isInside(real, root: root) else {
                throw PluginError("\(what): the link '\(entry.joined(separator: "/"))' resolves outside the plugin folder; the archive is refused.")
            }
        }
    }
}
