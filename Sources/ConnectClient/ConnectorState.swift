/// The state Kafka Connect reports for a connector or a task.
public enum ConnectorState: Sendable, Hashable, Codable, CustomStringConvertible {
    case running, paused, stopped, failed, unassigned, restarting
    /// A state this client does not know (a newer Connect version).
    case other(String)

    public init(rawValue: String) {
        switch rawValue.uppercased() {
        case "RUNNING": self = .running
        case "PAUSED": self = .paused
        case "STOPPED": self = .stopped
        case "FAILED": self = .failed
        case "UNASSIGNED": self = .unassigned
        case "RESTARTING": self = .restarting
        default: self = .other(rawValue)
        }
    }

    /// The spelling Connect uses (`RUNNING`).
    public var rawValue: String {
        switch self {
        case .running: return "RUNNING"
        case .paused: return "PAUSED"
        case .stopped: return "STOPPED"
        case .failed: return "FAILED"
        case .unassigned: return "UNASSIGNED"
        case .restarting: return "RESTARTING"
        case .other(let value): return value
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
