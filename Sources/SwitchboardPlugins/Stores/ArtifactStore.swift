import Foundation

/// Where plugin artifacts are kept: the company's own repository, from which clusters install
/// and never from the internet. Paths are ``SwitchboardCore/PluginArtifact/storePath``.
/// A protocol so that an S3 store can follow the directory and HTTP ones.
public protocol ArtifactStore: Sendable, CustomStringConvertible {
    /// Whether the store holds `path`.
    func contains(_ path: String) async throws(PluginError) -> Bool
    /// Writes `path` to `file`, returning its sha256. Throws when the store does not have it.
    func download(_ path: String, to file: URL) async throws(PluginError) -> String
    /// Stores `file` at `path`.
    func upload(_ path: String, from file: URL) async throws(PluginError)
}
