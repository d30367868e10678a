import Foundation
import SwitchboardCore

/// Fetches each artifact from its upstream source, verifies its sha256, and uploads it to the
/// store unless the store already has it. Idempotent, for CI.
public struct PluginMirror: Sendable {
    public let store: any ArtifactStore
    /// Resolves relative `source:` paths (the catalog folder).
    public let base: URL
    public let progress: @Sendable (String) -> Void
    /// Deadlines for fetching from upstream sources.
    public var timeouts: TransferTimeouts

    public init(store: any ArtifactStore, base: URL, timeouts: TransferTimeouts = TransferTimeouts(), progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.base = base
        self.timeouts = timeouts
        self.progress = progress
    }

    public struct Report: Sendable, Equatable {
        public var uploaded: [String] = []
        public var present: [String] = []
    }

    public func mirror(_ artifacts: [PluginArtifact]) async throws(PluginError) -> Report {
        var report = Report()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-mirror-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }  // a temporary folder; nothing depends on its removal
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw PluginError("Cannot create a scratch folder: \(error)")
        }
        for artifact in artifacts {
            let label = "\(artifact.name) \(artifact.version)"
            if try await store.contains(artifact.storePath) {
                progress("\(label): already in \(store)")
                report.present.append(artifact.name)
                continue
            }
            progress("\(label): fetching \(artifact.source)")
            let file = scratch.appendingPathComponent(artifact.name)
            let sha256 = try await ArtifactStores.fetchUpstream(artifact, base: base, to: file, timeouts: timeouts)
            guard sha256 == artifact.sha256 else {
                throw .checksumMismatch("Artifact \(label) from \(artifact.source)", expected: artifact.sha256, actual: sha256)
            }
            try await store.upload(artifact.storePath, from: file)
            progress("\(label): verified and uploaded to \(store)/\(artifact.storePath)")
            report.uploaded.append(artifact.name)
        }
        return report
    }
}
