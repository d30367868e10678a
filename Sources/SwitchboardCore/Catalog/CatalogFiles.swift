import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file system under a catalog root, entry by entry, where nothing is skipped silently.
///
/// Every entry is looked at without following links first. A symbolic link is followed only
/// when it resolves inside the catalog; a broken link, a link leading outside the catalog
/// (whose target is never opened), a fifo, socket or device, a folder that cannot be listed and
/// a file that cannot be read or is too large each become a violation naming the entry. What a
/// folder holds is therefore either fully known or reported: a file that exists is never
/// mistaken for one that does not.
struct CatalogFiles {
    /// A usable entry: a regular file or a folder (possibly through a link inside the catalog).
    struct Entry {
        enum Kind { case file, folder }
        var name: String
        /// Relative to the catalog root, for messages (`teams/payments/team.yaml`).
        var path: String
        var kind: Kind
        var isHidden: Bool { name.hasPrefix(".") }
        var fileExtension: String {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
            return String(name[name.index(after: dot)...])
        }
    }

    /// Catalog files above this size are refused rather than read (a connector file is a few
    /// hundred bytes; a file of megabytes is a mistake or an attack).
    static let maxFileBytes = 1 << 20

    let root: URL
    /// The root with every link resolved, which entries must stay inside.
    let realRoot: String
    let log: ViolationLog

    /// Nil (with a violation) when the root is not a folder that can be resolved.
    init?(root: URL, log: ViolationLog) {
        self.root = root.standardizedFileURL
        self.log = log
        guard let real = ResolvedPath.of(self.root.path), Self.kind(ofReal: real) == .folder else {
            log.add(Violation(.missingKey, at: SourceLocation(file: self.root.path), "The catalog folder \(self.root.path) does not exist or is not a folder.",
                              fix: "Pass the folder that holds switchboard.yaml with --catalog."))
            return nil
        }
        realRoot = real
    }

    func url(_ path: String) -> URL {
        path.isEmpty ? root : root.appendingPathComponent(path)
    }

    /// The usable entries of a folder, sorted by name; nil (with a violation) when the folder
    /// cannot be listed. Unusable entries are reported and left out.
    func entries(of folder: String) -> [Entry]? {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url(folder).path)
        } catch {
            log.add(Violation(.unreadableEntry, at: SourceLocation(file: folder.isEmpty ? "." : folder), "The folder cannot be listed: \(Self.reason(error)).",
                              fix: "Make it readable (check its permissions), so that Switchboard can see every file in it."))
            return nil
        }
        return names.sorted().compactMap { name in
            entry(folder.isEmpty ? name : "\(folder)/\(name)", name: name)
        }
    }

    /// The entry at `path`, if it exists: nil without a violation when nothing is there, nil with
    /// a violation when something is there that cannot be used.
    func entry(_ path: String, name: String? = nil) -> Entry? {
        let name = name ?? (path as NSString).lastPathComponent
        let full = url(path).path
        var info = stat()
        guard lstat(full, &info) == 0 else {
            if errno == ENOENT { return nil }
            report(path, "cannot be examined: \(String(cString: strerror(errno)))", fix: "Make it readable, or remove it.")
            return nil
        }
        var real = full
        if info.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = ResolvedPath.of(full) else {
                report(path, "is a symbolic link that leads nowhere (broken, or a loop)", fix: "Point the link at a file inside the catalog, or replace it with the file itself.")
                return nil
            }
            guard ResolvedPath.isInside(resolved, root: realRoot) else {
                // The target is never opened, so nothing of it can be shown.
                report(path, "is a symbolic link that leads outside the catalog; Switchboard does not follow it", fix: "Copy the file into the catalog instead of linking to it.")
                return nil
            }
            real = resolved
        }
        switch Self.kind(ofReal: real) {
        case .some(let kind):
            return Entry(name: name, path: path, kind: kind)
        case .none:
            report(path, "is not a regular file or folder (a fifo, socket or device)", fix: "Remove it: a catalog holds YAML files in folders.")
            return nil
        }
    }

    /// A file's text; nil (with a violation) when it cannot be read, is too large or is not UTF-8.
    func read(_ entry: Entry) -> String? {
        guard entry.kind == .file else {
            report(entry.path, "is a folder, where a file is expected", fix: "Replace the folder with the file, or rename the folder.")
            return nil
        }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url(entry.path))
            defer { try? handle.close() }  // closing a file only read from cannot lose data
            data = try handle.read(upToCount: Self.maxFileBytes + 1) ?? Data()
        } catch {
            report(entry.path, "cannot be read: \(Self.reason(error))", fix: "Make it readable (check its permissions).")
            return nil
        }
        guard data.count <= Self.maxFileBytes else {
            report(entry.path, "is larger than \(Self.maxFileBytes >> 20) MiB, which no catalog file needs", fix: "Split it, or remove what does not belong in the catalog.")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            log.add(Violation(.yamlSyntax, at: SourceLocation(file: entry.path), "The file is not UTF-8 text.", fix: "Save it as UTF-8."))
            return nil
        }
        return text
    }

    func report(_ path: String, _ problem: String, fix: String) {
        log.add(Violation(.unreadableEntry, at: SourceLocation(file: path), "\(path) \(problem).", fix: fix))
    }

    /// Records an entry that is not part of a catalog where it stands.
    func unknown(_ entry: Entry, _ problem: String, fix: String) {
        log.add(Violation(.unknownEntry, at: SourceLocation(file: entry.path), "\(entry.path) \(problem).", fix: fix))
    }

    // MARK: file system

    /// File or folder for a resolved path; nil for anything else (or when it vanished).
    static func kind(ofReal path: String) -> Entry.Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        default: return nil
        }
    }

    static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(code)))
        }
        return (error as NSError).localizedDescription
    }
}
