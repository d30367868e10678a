/// A connector as it runs on a cluster, reduced to what planning needs. The reconciler builds
/// these from one bulk `GET /connectors?expand=info&expand=status` per cluster.
public struct LiveConnector: Sendable, Equatable {
    public var name: String
    /// The stored config; nil when Connect did not return it.
    public var config: [String: String]?
    /// Connect's state name (`RUNNING`, `PAUSED`, `STOPPED`, `FAILED`, ...); nil when status is not known yet.
    public var state: String?

    public init(name: String, config: [String: String]?, state: String?) {
        self.name = name
        self.config = config
        self.state = state
    }

    /// The state as a desired state, when it is one of running, paused or stopped.
    public var desiredState: DesiredState? {
        state.flatMap { DesiredState(rawValue: $0.lowercased()) }
    }
}
