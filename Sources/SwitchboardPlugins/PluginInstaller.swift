import Foundation
import SwitchboardCore

/// Installs exactly a cluster's plugin set into a `plugin.path` folder: what an init container runs.
///
/// Each artifact is downloaded from the store into a staging folder inside the destination,
/// its sha256 verified, and unpacked into `staging/<plugin>/`. Only when every artifact is ready
/// are the folders renamed into place (and plugins that left the set moved out), so a failure
/// leaves the destination exactly as it was. What is installed is recorded in
/// `.switchboard-plugins.json`; an artifact already there with the same sha256 is skipped.
public struct PluginInstaller: Sendable {
    public let store: any ArtifactStore
    public let progress: @Sendable (String) -> Void
    /// Downloads and unpacks in flight at once.
    public var parallelism: Int

    public init(store: any ArtifactStore, parallelism: Int = 4, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.parallelism = parallelism
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
        do {
            try fileManager.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw PluginError("Cannot create the plugin folder \(destination.path): \(error)")
        }
        let stateURL = destination.appendingPathComponent(Self.stateFile)
        let state = (try? JSONDecoder().decode([String: Installed].self, from: Data(contentsOf: stateURL))) ?? [:]

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
        if pending.isEmpty && report.removed.isEmpty {
            progress("All \(artifacts.count) plugin(s) already installed in \(destination.path)")
            return report
        }

        let staging = destination.appendingPathComponent(".switchboard-staging-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: staging) }
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw PluginError("Cannot create a staging folder in \(destination.path): \(error)")
        }

        // 1. Download, verify and unpack everything into staging.
        let store = self.store, progress = self.progress
        let results = await boundedMap(pending, limit: parallelism) { artifact -> PluginError? in
            do throws(PluginError) {
                try await Self.stage(artifact, from: store, in: staging, progress: progress)
                return nil
            } catch {
                return error
            }
        }
        if let failure = results.compactMap({ $0 }).first {
            throw PluginError("\(failure.message)\nNothing was changed in \(destination.path).")
        }

        // 2. Everything is ready: move it into place.
        var newState = state.filter { wanted.contains($0.key) }
        do {
            for artifact in pending {
                let folder = destination.appendingPathComponent(artifact.name)
                if fileManager.fileExists(atPath: folder.path) {
                    try fileManager.moveItem(at: folder, to: staging.appendingPathComponent("replaced-\(artifact.name)"))
                }
                try fileManager.moveItem(at: staging.appendingPathComponent(artifact.name), to: folder)
                newState[artifact.name] = Installed(version: artifact.version, sha256: artifact.sha256)
                report.installed.append(artifact.name)
            }
            for name in report.removed {
                let folder = destination.appendingPathComponent(name)
                if fileManager.fileExists(atPath: folder.path) {
                    try fileManager.moveItem(at: folder, to: staging.appendingPathComponent("removed-\(name)"))
                }
                progress("Removed \(name): it left the cluster's set")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(newState).write(to: stateURL, options: .atomic)
        } catch {
            throw PluginError("Moving the plugins into \(destination.path) failed: \(error)")
        }
        return report
    }

    /// Downloads one artifact into `staging`, checks it, unpacks it into `staging/<name>/`.
    static func stage(_ artifact: PluginArtifact, from store: any ArtifactStore, in staging: URL, progress: @Sendable (String) -> Void) async throws(PluginError) {
        let download = staging.appendingPathComponent("\(artifact.name).download")
        progress("Downloading \(artifact.name) \(artifact.version) from \(store)")
        let sha256 = try await store.download(artifact.storePath, to: download)
        guard sha256 == artifact.sha256 else {
            throw .checksumMismatch("Artifact \(artifact.name) \(artifact.version) from \(store)", expected: artifact.sha256, actual: sha256)
        }
        let files = try ArchiveExtractor(artifact: artifact, file: download, destination: staging.appendingPathComponent(artifact.name)).extract()
        try? FileManager.default.removeItem(at: download)
        progress("Verified and unpacked \(artifact.name) \(artifact.version) (\(files) file(s))")
    }
}
