import Foundation

/// One cluster as the pages show it: its connectors (from the last successful poll), its
/// workers, and how fresh that picture is.
public struct ClusterView: Sendable, Codable, Equatable {
    public struct Worker: Sendable, Codable, Equatable {
        public var id: String
        public var connectors: Int
        public var tasks: Int

        public init(id: String, connectors: Int, tasks: Int) {
            (self.id, self.connectors, self.tasks) = (id, connectors, tasks)
        }
    }

    public struct Plugin: Sendable, Codable, Equatable {
        public var className: String
        public var type: String
        public var version: String?

        public init(className: String, type: String, version: String?) {
            (self.className, self.type, self.version) = (className, type, version)
        }
    }

    public var name: String
    public var urls: [String]
    /// Connector keys of this cluster, failed and degraded first.
    public var connectorKeys: [String]
    public var workers: [Worker]
    public var plugins: [Plugin]
    public var connectVersion: String?
    /// When the connectors were last read successfully.
    public var readAt: Date?
    /// Why the last poll failed, when it did (the page then shows the last good picture).
    public var lastError: String?
    public var lastErrorAt: Date?

    public var isReachable: Bool { lastError == nil }

    public init(name: String, urls: [String], connectorKeys: [String], workers: [Worker], plugins: [Plugin], connectVersion: String?,
                readAt: Date?, lastError: String?, lastErrorAt: Date?) {
        self.name = name
        self.urls = urls
        self.connectorKeys = connectorKeys
        self.workers = workers
        self.plugins = plugins
        self.connectVersion = connectVersion
        self.readAt = readAt
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}

/// Counts by state, for the overview.
public struct StateCounts: Sendable, Codable, Equatable {
    public var total = 0
    public var running = 0
    public var paused = 0
    public var stopped = 0
    public var failed = 0
    public var degraded = 0
    public var other = 0

    public init(total: Int, running: Int, paused: Int, stopped: Int, failed: Int, degraded: Int, other: Int) {
        (self.total, self.running, self.paused, self.stopped, self.failed, self.degraded, self.other) = (total, running, paused, stopped, failed, degraded, other)
    }

    /// Counts over `connectors`.
    public init(_ connectors: some Sequence<ConnectorView>) {
        for connector in connectors { add(connector) }
    }

    /// Each connector counts once, by its ``ConnectorView/health``: the counts add up to the
    /// total, and each is what the overview's filter of that name lists.
    public mutating func add(_ connector: ConnectorView) {
        total += 1
        switch connector.health {
        case "FAILED": failed += 1
        case "DEGRADED": degraded += 1
        case "RUNNING": running += 1
        case "PAUSED": paused += 1
        case "STOPPED": stopped += 1
        default: other += 1
        }
    }
}
