/// One connector from `teams/<team>/connectors/<file>.yaml`.
public struct ConnectorDefinition: Sendable, Equatable {
    public var team: String
    /// The name as written in the file, without the team prefix.
    public var name: String
    public var cluster: String
    public var connectorClass: String
    public var tasks: Int
    public var state: DesiredState
    /// The config as written (without connector.class and tasks.max, which have their own fields).
    public var config: [String: String]
    /// Where the connector is defined (the `name:` line).
    public var location: SourceLocation
    /// The line of each config key, for pointing at it.
    public var configLines: [String: Int]
    /// `protect: true`: never deleted from its cluster, even once its file is gone (Terraform's
    /// `prevent_destroy`). Recorded on the cluster as ``protectKey`` in the connector's config.
    public var protect: Bool
    /// The connector's `autoRestart:`, over the platform's (nil: the platform's as it is).
    public var autoRestart: AutoRestartPolicy?
    /// `pluginVersion:`: the version of its plugin to run (KIP-891, Connect 4.1+), sent as
    /// ``pluginVersionKey``; nil lets the worker choose (the newest installed).
    public var pluginVersion: String?

    /// The config key that marks a connector as protected on the cluster itself, so that the
    /// protection outlives its catalog file: a plan never deletes a connector that carries it.
    public static let protectKey = "switchboard.protect"
    /// The config key of Connect 4.1+ that picks one of several installed versions of a plugin.
    public static let pluginVersionKey = "connector.plugin.version"

    public init(team: String, name: String, cluster: String, connectorClass: String, tasks: Int, state: DesiredState, config: [String: String], location: SourceLocation, configLines: [String: Int] = [:], protect: Bool = false, autoRestart: AutoRestartPolicy? = nil,
                pluginVersion: String? = nil) {
        self.autoRestart = autoRestart
        self.pluginVersion = pluginVersion
        self.team = team
        self.name = name
        self.cluster = cluster
        self.connectorClass = connectorClass
        self.tasks = tasks
        self.state = state
        self.config = config
        self.location = location
        self.configLines = configLines
        self.protect = protect
    }

    /// The same definition, its config's keys and values and its class taken from `pool`.
    func sharingStrings(in pool: inout StringPool) -> ConnectorDefinition {
        var shared = self
        shared.connectorClass = pool.share(connectorClass)
        shared.config = pool.share(config)
        shared.configLines = pool.shareKeys(configLines)
        return shared
    }

    /// The name on the cluster: `<team>_<name>`.
    public var fullName: String { "\(team)_\(name)" }

    /// Where a config key is written (the `config:` block when the line is unknown).
    public func location(ofKey key: String) -> SourceLocation {
        location.at(line: configLines[key])
    }

    /// The team part of a name on a cluster (`payments` of `payments_orders`), if it has one.
    public static func teamPrefix(of name: String) -> String? {
        guard let separator = name.firstIndex(of: "_"), separator != name.startIndex else { return nil }
        return String(name[..<separator])
    }

    /// Whether the config makes this a sink (Connect requires `topics` or `topics.regex` of sinks).
    public var isSink: Bool {
        config["topics"] != nil || config["topics.regex"] != nil
    }
}

/// The state a connector should be in.
public enum DesiredState: String, Sendable, Codable, CaseIterable {
    case running, paused, stopped

    /// Connect's spelling (`RUNNING`).
    public var connectName: String { rawValue.uppercased() }
}
