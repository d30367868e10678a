/// `plugins.yaml` of the catalog: the plugin artifacts (version, checksum, where they come from,
/// which connector classes they provide), which cluster runs which, and the artifact store they
/// are mirrored to and installed from.
public struct PluginManifest: Sendable, Equatable {
    /// Where artifacts are mirrored to and installed from.
    public struct Store: Sendable, Equatable {
        /// `file:///path`, a relative path (to the catalog), or an `http(s)://` repository URL.
        public var url: String
        /// An environment variable holding a bearer token.
        public var bearerTokenEnv: String?
        /// Basic-auth user; the password comes from `passwordEnv` or `passwordFile`.
        public var username: String?
        public var passwordEnv: String?
        public var passwordFile: String?

        public init(url: String, bearerTokenEnv: String? = nil, username: String? = nil, passwordEnv: String? = nil, passwordFile: String? = nil) {
            self.url = url
            self.bearerTokenEnv = bearerTokenEnv
            self.username = username
            self.passwordEnv = passwordEnv
            self.passwordFile = passwordFile
        }
    }

    public var store: Store?
    /// Connector classes the worker image provides itself (on its classpath), on every cluster.
    public var builtinClasses: [String]
    public var artifacts: [PluginArtifact]
    /// Cluster name -> artifact names.
    public var clusterSets: [String: [String]]
    public var location: SourceLocation

    public init(store: Store?, builtinClasses: [String], artifacts: [PluginArtifact], clusterSets: [String: [String]], location: SourceLocation = SourceLocation(file: "plugins.yaml")) {
        self.store = store
        self.builtinClasses = builtinClasses
        self.artifacts = artifacts
        self.clusterSets = clusterSets
        self.location = location
    }

    /// The artifacts a cluster runs, in manifest order.
    public func artifacts(for cluster: String) -> [PluginArtifact] {
        let names = Set(clusterSets[cluster] ?? [])
        return artifacts.filter { names.contains($0.name) }
    }

    /// The connector classes a cluster can run: the image's own and those of its artifacts.
    public func classes(for cluster: String) -> Set<String> {
        Set(builtinClasses).union(artifacts(for: cluster).flatMap(\.classes))
    }
}

/// One plugin artifact: a jar, or a zip / tar.gz archive of a plugin's jars.
public struct PluginArtifact: Sendable, Equatable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case jar, zip
        case tarGz = "tar.gz"
    }

    /// `[a-z0-9][a-z0-9._-]*`: also the plugin's folder name under plugin.path.
    public var name: String
    public var version: String
    public var kind: Kind
    /// Where `plugins mirror` fetches it: an http(s) or file URL, or a path relative to the catalog.
    public var source: String
    /// Lower-case hex sha256 of the artifact file.
    public var sha256: String
    /// The connector classes it provides.
    public var classes: [String]

    public init(name: String, version: String, kind: Kind, source: String, sha256: String, classes: [String]) {
        self.name = name
        self.version = version
        self.kind = kind
        self.source = source
        self.sha256 = sha256
        self.classes = classes
    }

    /// Its path in an artifact store: `<name>/<version>/<name>-<version>.<ext>`.
    public var storePath: String {
        "\(name)/\(version)/\(name)-\(version).\(kind.rawValue)"
    }
}
