import Foundation
import SwitchboardCore

/// Builds the store plugins.yaml names, and fetches artifacts from their upstream source.
public enum ArtifactStores {
    /// The store for `reference`; relative paths are resolved against `base` (the catalog).
    /// Credentials come from the environment or a file, never from plugins.yaml.
    public static func make(_ reference: PluginManifest.Store, base: URL, timeouts: TransferTimeouts = TransferTimeouts(), environment: [String: String] = ProcessInfo.processInfo.environment) throws(PluginError) -> any ArtifactStore {
        let url = reference.url
        if url.hasPrefix("http://") || url.hasPrefix("https://") {
            return HTTPArtifactStore(baseURL: url, credentials: try credentials(reference, environment: environment), timeouts: timeouts)
        }
        return FileArtifactStore(root: localURL(url, base: base))
    }

    static func credentials(_ reference: PluginManifest.Store, environment: [String: String]) throws(PluginError) -> HTTPArtifactStore.Credentials {
        if let variable = reference.bearerTokenEnv {
            guard let token = environment[variable], !token.isEmpty else {
                throw PluginError("The artifact store's bearer token is read from $\(variable), which is not set.")
            }
            return .bearer(token)
        }
        guard let username = reference.username else { return .none }
        if let variable = reference.passwordEnv {
            guard let password = environment[variable], !password.isEmpty else {
                throw PluginError("The artifact store's password is read from $\(variable), which is not set.")
            }
            return .basic(username: username, password: password)
        }
        if let file = reference.passwordFile {
            do {
                let password = try String(contentsOfFile: file, encoding: .utf8)
                return .basic(username: username, password: password.trimmingCharacters(in: .whitespacesAndNewlines))
            } catch {
                throw PluginError("The artifact store's password file \(file) cannot be read (\((error as NSError).localizedDescription)).")
            }
        }
        throw PluginError("The artifact store has `username:` but no passwordEnv or passwordFile.")
    }

    /// A `file://` URL or a path (relative to `base`) as a file URL.
    static func localURL(_ text: String, base: URL) -> URL {
        if text.hasPrefix("file://"), let url = URL(string: text) {
            return URL(fileURLWithPath: url.path)
        }
        if text.hasPrefix("/") {
            return URL(fileURLWithPath: text)
        }
        return base.appendingPathComponent(text).standardizedFileURL
    }

    /// Fetches an artifact from its upstream `source` (http(s), file URL or path) into `file`,
    /// returning its sha256.
    public static func fetchUpstream(_ artifact: PluginArtifact, base: URL, to file: URL, timeouts: TransferTimeouts = TransferTimeouts()) async throws(PluginError) -> String {
        let what = "Artifact \(artifact.name) \(artifact.version)"
        if artifact.source.hasPrefix("http://") || artifact.source.hasPrefix("https://") {
            return try await HTTPDownload.get(artifact.source, to: file, what: what, timeouts: timeouts)
        }
        let source = localURL(artifact.source, base: base)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw PluginError("\(what): its source \(source.path) does not exist.")
        }
        do {
            try? FileManager.default.removeItem(at: file)  // a leftover, or nothing; copyItem fails loudly if it stayed
            try FileManager.default.copyItem(at: source, to: file)
            return try RunningDigest.of(file: file)
        } catch {
            throw PluginError("\(what): could not read \(source.path): \(error)")
        }
    }
}
