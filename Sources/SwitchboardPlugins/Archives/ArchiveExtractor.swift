import Foundation
import SwitchboardCore
import ZIPFoundation

/// Unpacks an artifact into its plugin folder: a jar is copied in, a zip or tar.gz is unpacked.
/// Entries that would leave the folder (absolute paths, `..`, links pointing outside) are refused
/// and the whole artifact fails; links are created after every file, so no file is ever written
/// through a link.
struct ArchiveExtractor {
    let artifact: PluginArtifact
    let file: URL
    /// The plugin's folder (created here).
    let destination: URL

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
            return try extractZip()
        case .tarGz:
            var tar = TarExtractor(root: destination, what: what)
            try GzipReader.inflate(file: file, what: what) { chunk throws(PluginError) in try tar.consume(chunk) }
            return try tar.finish()
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
        for entry in archive {
            guard let parts = EntryPath.components(entry.path) else {
                throw PluginError("\(what): the entry '\(entry.path)' would be written outside the plugin folder; the archive is refused.")
            }
            if parts.isEmpty { continue }
            let target = destination.appendingPathComponent(parts.joined(separator: "/"))
            do {
                switch entry.type {
                case .directory:
                    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                case .symlink:
                    var linkTarget = Data()
                    _ = try archive.extract(entry, skipCRC32: false) { linkTarget.append($0) }
                    try links.add(parts, target: String(decoding: linkTarget, as: UTF8.self))
                case .file:
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    _ = try archive.extract(entry, to: target, skipCRC32: false)
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

    init(root: URL, what: String) {
        self.root = root
        self.what = what
    }

    mutating func add(_ entry: [String], target: String) throws(PluginError) {
        guard EntryPath.linkStaysInside(entry: entry, target: target) else {
            throw PluginError("\(what): the link '\(entry.joined(separator: "/"))' points to '\(target)', outside the plugin folder; the archive is refused.")
        }
        links.append((entry, target))
    }

    func create() throws(PluginError) {
        for (entry, target) in links {
            let path = root.appendingPathComponent(entry.joined(separator: "/"))
            do {
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: target)
            } catch {
                throw PluginError("\(what): could not create the link '\(entry.joined(separator: "/"))': \(error)")
            }
        }
    }
}
