import Foundation
import SwitchboardCore

/// Installs exactly a cluster's plugin set into a `plugin.path` folder: what an init container runs.
///
/// Each artifact is downloaded from the store into a staging folder, its sha256 verified, and
/// unpacked into `staging/<plugin>/`. Only when every artifact is ready are the folders renamed
/// into place (and plugins that left the set moved out); a failure while renaming undoes the
/// renames already made. So on any failure the destination is exactly as it was, and a
/// destination that did not exist is not created. What is installed is recorded in
/// `.switchboard-plugins.json`; an artifact already there with the same sha256 is skipped. That
/// file is checked before anything is moved by the names it holds: a corrupt one is an error.
public struct PluginInstaller: Sendable {
    public let store: any ArtifactStore
    public let progress: @Sendable (String) -> Void
    /// Downloads and unpacks in flight at once.
    public var parallelism: Int
    /// The most bytes one artifact may unpack to (a zip bomb stops here).
    public var maxUnpackedBytes: Int64

    /// 2 GiB: far above any connector plugin (Debezium's is about 30 MB), far below a full disk.
    public static let defaultMaxUnpackedBytes: Int64 = 2 << 30

    public init(store: any ArtifactStore, parallelism: Int = 4, maxUnpackedBytes: Int64 = PluginInstaller.defaultMaxUnpackedBytes, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.parallelism = parallelism
        self.maxUnpackedBytes = maxUnpackedBytes
        self.progress = progress
    }

    public struct Report: Sendable, Equatable {
        public var installed: [String] = []
        public var unchanged: [String] = []
        public var removed: [String] = []
    }

    static let stateFile = ".switchboard-plugins.json"

    /// What the state file records of one installed plugin.
    struct Installed: Codable, Equatable {
        var version: String
        var sha256: String
    }

    public func install(_ artifacts: [PluginArtifact], into destination: URL) async throws(PluginError) -> Report {
        let fileManager = FileManager.default
        let destination = destination.standardizedFileURL
        let exists = try Self.folderExists(destination)
        let stateURL = destination.appendingPathComponent(Self.stateFile)
        let state = exists ? try Self.readState(stateURL) : [:]

        var report = Report()
        var pending: [PluginArtifact] = []
        for artifact in artifacts {
            let folder = destination.appendingPathComponent(artifact.name)
            if state[artifact.name] == Installed(version: artifact.version, sha256: artifact.sha256), fileManager.fileExists(atPath: folder.path) {
                report.unchanged.append(artifact.name)
            } else {
                pending.append(artifact)
            }
        }
        let wanted = Set(artifacts.map(\.name))
        report.removed = state.keys.filter { !wanted.contains($0) }.sorted()
        if exists && pending.isEmpty && report.removed.isEmpty {
            progress("All \(artifacts.count) plugin(s) already installed in \(destination.path)")
            return report
        }

        // Staging lives in the destination (same file system, so the final renames are atomic),
        // or, when the destination does not exist yet, beside it: it then becomes the destination.
        let stagingParent = exists ? destination : try Self.missingFolders(above: destination).ancestor
        let staging = stagingParent.appendingPathComponent(".switchboard-staging-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: staging) }  // gone on success; on failure, cleaning up cannot undo more
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw PluginError("Cannot create a staging folder in \(stagingParent.path): \((error as NSError).localizedDescription)")
        }

        // 1. Download, verify and unpack everything into staging.
        try await stageAll(pending, in: staging, nothingChanged: exists ? "Nothing was changed in \(destination.path)." : "\(destination.path) was not created.")

        // 2. Everything is ready: move it into place.
        var newState = state.filter { wanted.contains($0.key) }
        for artifact in pending {
            newState[artifact.name] = Installed(version: artifact.version, sha256: artifact.sha256)
        }
        let stateData: Data
        do {
            stateData = Data(try JSONWriter.pretty(newState).utf8)
        } catch {
            throw PluginError("Cannot record the installed plugins: \(error)")
        }
        if !exists {
            try Self.createAsDestination(staging, destination: destination, state: stateData)
            report.installed = pending.map(\.name)
            return report
        }
        try Self.moveIntoPlace(pending, removing: report.removed, from: staging, into: destination, state: stateData)
        report.installed = pending.map(\.name)
        for name in report.removed {
            progress("Removed \(name): it left the cluster's set")
        }
        return report
    }

    /// Downloads, verifies and unpacks `artifacts` into `staging`, a few at a time; the first
    /// failure ends the install with `nothingChanged` added to its message.
    func stageAll(_ artifacts: [PluginArtifact], in staging: URL, nothingChanged: String) async throws(PluginError) {
        let store = self.store, progress = self.progress, limit = maxUnpackedBytes
        let results = await boundedMap(artifacts, limit: parallelism) { artifact -> PluginError? in
            do throws(PluginError) {
                try await Self.stage(artifact, from: store, in: staging, maxUnpackedBytes: limit, progress: progress)
                return nil
            } catch {
                return error
            }
        }
        if let failure = results.compactMap({ $0 }).first {
            throw PluginError("\(failure.message)\n\(nothingChanged)")
        }
    }

    /// Renames the staged folders into `destination` (the folders they replace and the ones
    /// removed go into `staging`, which is deleted after), then writes the state file. A failure
    /// undoes the renames made so far.
    static func moveIntoPlace(_ pending: [PluginArtifact], removing removed: [String], from staging: URL, into destination: URL, state: Data) throws(PluginError) {
        var moves = Moves()
        do {
            for artifact in pending {
                let folder = destination.appendingPathComponent(artifact.name)
                if try entryExists(folder) {
                    try moves.move(folder, to: staging.appendingPathComponent("replaced-\(artifact.name)"))
                }
                try moves.move(staging.appendingPathComponent(artifact.name), to: folder)
            }
            for name in removed {
                let folder = destination.appendingPathComponent(name)
                if try entryExists(folder) {
                    try moves.move(folder, to: staging.appendingPathComponent("removed-\(name)"))
                }
            }
            try state.write(to: destination.appendingPathComponent(stateFile), options: .atomic)
        } catch {
            let undone = moves.undo()
            throw PluginError("Moving the plugins into \(destination.path) failed: \((error as NSError).localizedDescription). "
                              + (undone ? "The moves already made were undone; nothing was changed." : "Undoing the moves made failed too: check \(destination.path) by hand."))
        }
    }

    /// Renames made so far, to undo them in reverse order if a later one fails.
    struct Moves {
        private var done: [(from: URL, to: URL)] = []

        mutating func move(_ from: URL, to: URL) throws {
            try FileManager.default.moveItem(at: from, to: to)
            done.append((from, to))
        }

        /// Whether every move was undone.
        func undo() -> Bool {
            var complete = true
            for (from, to) in done.reversed() {
                do {
                    try FileManager.default.moveItem(at: to, to: from)
                } catch {
                    complete = false
                }
            }
            return complete
        }
    }

    /// Turns the staging folder into the destination that did not exist: the state file goes in,
    /// the destination's missing parents are created, and one rename puts it in place.
    static func createAsDestination(_ staging: URL, destination: URL, state: Data) throws(PluginError) {
        let fileManager = FileManager.default
        var created: [URL] = []
        do {
            try state.write(to: staging.appendingPathComponent(stateFile), options: .atomic)
            for folder in try missingFolders(above: destination).missing {
                try fileManager.createDirectory(at: folder, withIntermediateDirectories: false)
                created.append(folder)
            }
            try fileManager.moveItem(at: staging, to: destination)
        } catch {
            for folder in created.reversed() { try? fileManager.removeItem(at: folder) }  // they were empty, made here
            throw PluginError("Cannot create \(destination.path): \((error as NSError).localizedDescription); it was not created.")
        }
    }

    /// Reads and checks the state file: plugin names as plugins.yaml allows them, a version and a
    /// sha256 each. Anything else is an error, because folders are moved by these names.
    static func readState(_ url: URL) throws(PluginError) -> [String: Installed] {
        guard try entryExists(url) else { return [:] }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PluginError("Cannot read \(url.path): \((error as NSError).localizedDescription). Nothing was changed.")
        }
        let fix = "Nothing was changed. If the folder holds only what Switchboard installed, remove the file and install again."
        let state: [String: Installed]
        do {
            state = try JSONDecoder().decode([String: Installed].self, from: data)
        } catch {
            throw PluginError("\(url.path) is corrupt (not the JSON Switchboard writes). \(fix)")
        }
        for (name, installed) in state {
            guard NamePattern.artifact.matches(name), name.count <= 255 else {
                throw PluginError("\(url.path) is corrupt: '\(name.prefix(80))' is not a plugin name. \(fix)")
            }
            guard installed.sha256.count == 64, installed.sha256.allSatisfy(\.isHexDigit), !installed.version.isEmpty else {
                throw PluginError("\(url.path) is corrupt: the entry of \(name) has no valid version and sha256. \(fix)")
            }
        }
        return state
    }

    /// Whether a folder exists there; an error when something else stands there or it cannot be examined.
    static func folderExists(_ url: URL) throws(PluginError) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            guard try !entryExists(url) else { throw PluginError("\(url.path) is a broken symbolic link, not a folder.") }
            return false
        }
        guard isFolder.boolValue else { throw PluginError("\(url.path) exists and is not a folder.") }
        return true
    }

    /// Whether anything (a link too, even a broken one) stands at `url`.
    static func entryExists(_ url: URL) throws(PluginError) -> Bool {
        do {
            _ = try FileManager.default.attributesOfItem(atPath: url.path)
            return true
        } catch let error as NSError where error.domain == NSCocoaErrorDomain && (error.code == NSFileNoSuchFileError || error.code == NSFileReadNoSuchFileError) {
            return false
        } catch {
            throw PluginError("Cannot examine \(url.path): \((error as NSError).localizedDescription)")
        }
    }

    /// The nearest folder above `url` that exists, and the folders between it and `url` that do
    /// not, outermost first.
    static func missingFolders(above url: URL) throws(PluginError) -> (ancestor: URL, missing: [URL]) {
        var missing: [URL] = []
        var parent = url.deletingLastPathComponent()
        while try !folderExists(parent) {
            guard parent.path != "/" else { throw PluginError("No folder above \(url.path) exists.") }
            missing.insert(parent, at: 0)
            parent = parent.deletingLastPathComponent()
        }
        return (parent, missing)
    }

    /// Downloads one artifact into `staging`, checks it, unpacks it into `staging/<name>/`.
    static func stage(_ artifact: PluginArtifact, from store: any ArtifactStore, in staging: URL, maxUnpackedBytes: Int64, progress: @Sendable (String) -> Void) async throws(PluginError) {
        let download = staging.appendingPathComponent("\(artifact.name).download")
        progress("Downloading \(artifact.name) \(artifact.version) from \(store)")
        let sha256 = try await store.download(artifact.storePath, to: download)
        guard sha256 == artifact.sha256 else {
            throw .checksumMismatch("Artifact \(artifact.name) \(artifact.version) from \(store)", expected: artifact.sha256, actual: sha256)
        }
        let files = try ArchiveExtractor(artifact: artifact, file: download, destination: staging.appendingPathComponent(artifact.name), maxUnpackedBytes: maxUnpackedBytes).extract()
        try? FileManager.default.removeItem(at: download)  // the staging folder goes anyway
        progress("Verified and unpacked \(artifact.name) \(artifact.version) (\(files) file(s))")
    }
}
