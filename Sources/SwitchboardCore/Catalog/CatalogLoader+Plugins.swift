import Foundation

extension CatalogLoader {
    public static let pluginsFile = "plugins.yaml"
    static let pluginKeys = ["store", "builtinClasses", "artifacts", "clusters"]
    static let artifactKeys = ["name", "version", "type", "source", "sha256", "classes"]

    /// Reads `plugins.yaml` text (from the catalog, or a copy mounted into an init container).
    public static func loadPluginManifest(_ text: String, path: String = pluginsFile) -> (PluginManifest?, [Violation]) {
        let log = ViolationLog()
        guard let yaml = YAMLMapping.parseFile(text, path: path, context: "plugin manifest", log: log) else {
            return (nil, log.items)
        }
        return (readPlugins(yaml), log.items)
    }

    static func readPlugins(_ yaml: YAMLMapping) -> PluginManifest {
        yaml.rejectUnknownKeys(pluginKeys)
        var store: PluginManifest.Store?
        if let section = yaml.mapping("store", context: "artifact store") {
            section.rejectUnknownKeys(["url", "bearerTokenEnv", "username", "passwordEnv", "passwordFile"])
            if section.has("password") || section.has("token") {
                yaml.log.add(Violation(.secretLiteral, at: section.location, "The artifact store's credentials are written in plugins.yaml.", fix: "Use `bearerTokenEnv:`, or `username:` with `passwordEnv:` or `passwordFile:`."))
            }
            if let url = section.string("url", required: "Add `url:` (file:///path, a path, or https://repository/...).") {
                if Scrubber.holdsCredential(url) {
                    yaml.log.add(Violation(.secretLiteral, at: section.locationOf("url"), "The artifact store's URL holds credentials (user:password@ or a token parameter).",
                                           fix: "Write the URL without them and use `bearerTokenEnv:`, or `username:` with `passwordEnv:` or `passwordFile:`."))
                }
                store = .init(url: url, bearerTokenEnv: section.string("bearerTokenEnv"), username: section.string("username"),
                              passwordEnv: section.string("passwordEnv"), passwordFile: section.string("passwordFile"))
            }
        }
        var artifacts: [PluginArtifact] = []
        var seen: Set<String> = []
        for item in yaml.mappings("artifacts", context: { index, item in "artifact '\(item.string("name") ?? "#\(index + 1)")'" }) ?? [] {
            guard let artifact = readArtifact(item) else { continue }
            if !seen.insert(artifact.name).inserted {
                item.log.add(Violation(.duplicateName, at: item.locationOf("name"), "Artifact '\(artifact.name)' is listed twice.", fix: "Keep one entry per artifact; list a new version by changing `version:` and `sha256:`."))
            }
            artifacts.append(artifact)
        }
        var sets: [String: [String]] = [:]
        if let clusters = yaml.mapping("clusters", context: "cluster plugin sets") {
            for (key, _) in clusters.mapping {
                guard let cluster = key.string else { continue }
                let names = clusters.strings(cluster) ?? []
                for name in names where !seen.contains(name) {
                    clusters.invalid(cluster, "Cluster \(cluster) lists artifact '\(name)', which `artifacts:` does not define.", fix: "Add '\(name)' to `artifacts:` or remove it from the set.")
                }
                sets[cluster] = names
            }
        }
        return PluginManifest(store: store, builtinClasses: yaml.strings("builtinClasses") ?? [], artifacts: artifacts, clusterSets: sets, location: yaml.location)
    }

    static func readArtifact(_ yaml: YAMLMapping) -> PluginArtifact? {
        yaml.rejectUnknownKeys(artifactKeys)
        let name = yaml.string("name", required: "Add `name:` (also the plugin's folder name).")
        let version = yaml.string("version", required: "Add `version:`.")
        let type = yaml.string("type", required: "Add `type: jar`, `zip` or `tar.gz`.")
        let source = yaml.string("source", required: "Add `source:` (an https URL, a file URL, or a path).")
        let sha256 = yaml.string("sha256", required: "Add `sha256:` (the artifact's checksum, 64 hex digits).")
        guard let name, let version, let type, let source, let sha256 else { return nil }
        guard let kind = PluginArtifact.Kind(rawValue: type) else {
            yaml.invalid("type", "Artifact type '\(type)' is not supported.", fix: "Use jar, zip or tar.gz.")
            return nil
        }
        if !NamePattern.artifact.matches(name) {
            yaml.invalid("name", "Artifact name '\(name)' must match [a-z0-9][a-z0-9._-]*: it becomes a folder name.", fix: "Use lower-case letters, digits, dots, dashes and underscores.")
        }
        if version.contains("/") || version.hasPrefix(".") {
            yaml.invalid("version", "Artifact version '\(version)' may not contain '/' or start with '.'.", fix: "Write the version as the project publishes it, for example 3.0.7.Final.")
        }
        let checksum = sha256.lowercased()
        if checksum.count != 64 || !checksum.allSatisfy(\.isHexDigit) {
            yaml.invalid("sha256", "sha256 of '\(name)' must be 64 hex digits.", fix: "Compute it with `sha256sum <file>`.")
        }
        return PluginArtifact(name: name, version: version, kind: kind, source: source, sha256: checksum, classes: yaml.strings("classes") ?? [])
    }
}
