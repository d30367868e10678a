/// One connector as `GET /connectors?expand=info&expand=status` returns it: its stored
/// configuration and task list (`info`) and its runtime state (`status`).
///
/// Either part can be missing: status is eventual and can lag behind a create.
public struct ConnectorSnapshot: Sendable, Equatable, Codable {
    public struct Info: Sendable, Equatable, Codable {
        public struct TaskID: Sendable, Equatable, Codable {
            public var connector: String
            public var task: Int
        }
        public var name: String
        public var config: [String: String]
        public var tasks: [TaskID]
        public var type: String?
    }

    public struct Status: Sendable, Equatable, Codable {
        public struct Connector: Sendable, Equatable, Codable {
            public var state: ConnectorState
            public var workerID: String?
            public var trace: String?
            /// The version of the plugin it runs (Connect 4.1+, KIP-891).
            public var version: String?
            enum CodingKeys: String, CodingKey {
                case state, trace, version
                case workerID = "worker_id"
            }
        }
        public struct Task: Sendable, Equatable, Codable {
            public var id: Int
            public var state: ConnectorState
            public var workerID: String?
            public var trace: String?
            enum CodingKeys: String, CodingKey {
                case id, state, trace
                case workerID = "worker_id"
            }
        }
        public var name: String
        public var connector: Connector
        public var tasks: [Task]
        public var type: String?
    }

    public var info: Info?
    public var status: Status?

    public init(info: Info?, status: Status?) {
        self.info = info
        self.status = status
    }

    /// The connector's state, when status is known.
    public var state: ConnectorState? { status?.connector.state }

    /// `source` or `sink`, from whichever part knows it.
    public var type: String? { info?.type ?? status?.type }

    /// The workers (`host:port`) that status names for the connector and its tasks.
    public var workerIDs: [String] {
        ([status?.connector.workerID] + (status?.tasks.map(\.workerID) ?? [])).compactMap { $0 }
    }
}

/// `GET /`: the worker's version.
public struct ServerInfo: Sendable, Equatable, Codable {
    public var version: String
    public var commit: String?
    public var kafkaClusterID: String?
    enum CodingKeys: String, CodingKey {
        case version, commit
        case kafkaClusterID = "kafka_cluster_id"
    }
}

/// One entry of `GET /connector-plugins`.
public struct PluginInfo: Sendable, Equatable, Hashable, Codable {
    public var className: String
    public var type: String
    public var version: String?
    public init(className: String, type: String, version: String?) {
        self.className = className
        self.type = type
        self.version = version
    }
    enum CodingKeys: String, CodingKey {
        case className = "class"
        case type, version
    }
}

/// One key a plugin defines (`GET /connector-plugins/{class}/config`, Connect 2.3+): what a
/// form or a scaffolded file offers for it.
public struct ConfigKeyInfo: Sendable, Equatable, Codable {
    public var name: String
    /// STRING, INT, LONG, DOUBLE, BOOLEAN, LIST, CLASS, PASSWORD, SHORT.
    public var type: String
    public var required: Bool
    public var defaultValue: String?
    /// HIGH, MEDIUM or LOW.
    public var importance: String?
    public var documentation: String?
    public var group: String?
    public var displayName: String?
    /// The key's place in its group (-1 when the plugin gives none).
    public var order: Int?

    public init(name: String, type: String, required: Bool, defaultValue: String? = nil, importance: String? = nil, documentation: String? = nil,
                group: String? = nil, displayName: String? = nil, order: Int? = nil) {
        (self.name, self.type, self.required, self.defaultValue, self.importance) = (name, type, required, defaultValue, importance)
        (self.documentation, self.group, self.displayName, self.order) = (documentation, group, displayName, order)
    }

    enum CodingKeys: String, CodingKey {
        case name, type, required, importance, documentation, group, order
        case defaultValue = "default_value"
        case displayName = "display_name"
    }
}

/// The answer of `PUT /connector-plugins/{class}/config/validate`, reduced to what is wrong.
/// Connect answers 200 even when the config is invalid; `errorCount` says whether it is.
public struct ValidationResult: Sendable, Equatable {
    public var errorCount: Int
    /// Each key with errors, and Connect's messages for it.
    public var errorsByKey: [String: [String]]
    /// Every key the connector and the worker define (what this release knows).
    public var knownKeys: Set<String>
    public init(errorCount: Int, errorsByKey: [String: [String]], knownKeys: Set<String> = []) {
        self.errorCount = errorCount
        self.errorsByKey = errorsByKey
        self.knownKeys = knownKeys
    }
}

/// The state a connector is created in (`initial_state`, Connect 3.7+).
public enum InitialState: String, Sendable, Codable {
    case running = "RUNNING"
    case paused = "PAUSED"
    case stopped = "STOPPED"
}
