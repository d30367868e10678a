import Foundation
import NIOConcurrencyHelpers

/// One simulated cluster: its connectors, their states, and the JSON Connect would answer for
/// them. Each connector's `info` and `status` objects are encoded once and kept; a bulk read
/// joins them (only connectors whose state changed are encoded again), so the simulator's own
/// cost stays small beside the server it feeds.
public final class FleetCluster: Sendable {
    public let name: String
    public let spec: FleetSpec
    let index: Int
    private let state: NIOLockedValueBox<State>

    struct State {
        var connectors: [String: FleetConnector] = [:]
        var order: [String] = []
        var info: [String: Data] = [:]
        var status: [String: Data] = [:]
        var bulkReads = 0
        var counts: [String: Int] = [:]
    }

    public init(spec: FleetSpec, index: Int) {
        self.spec = spec
        self.index = index
        self.name = spec.clusterName(index)
        var state = State()
        for connector in spec.connectors(ofCluster: index) {
            state.connectors[connector.name] = connector
            state.order.append(connector.name)
            state.info[connector.name] = Self.encode(Self.info(connector))
            state.status[connector.name] = Self.encode(Self.status(connector, workers: Self.workers(index)))
        }
        self.state = NIOLockedValueBox(state)
    }

    /// What the simulator was asked, by kind of request (`bulk`, `topics`, `offsets`, `restart`, ...).
    public var counts: [String: Int] { state.withLockedValue { $0.counts } }

    func count(_ kind: String) {
        state.withLockedValue { $0.counts[kind, default: 0] += 1 }
    }

    public func connector(_ name: String) -> FleetConnector? {
        state.withLockedValue { $0.connectors[name] }
    }

    /// `GET /connectors?expand=info&expand=status` (either or both): a slice of connectors changes
    /// state first, as between two polls of a real cluster.
    public func bulk(info: Bool, status: Bool) -> Data {
        state.withLockedValue { state in
            if status { churn(&state) }
            var out = Data("{".utf8)
            out.reserveCapacity(state.order.count * ((info ? 1_100 : 0) + (status ? 300 : 0)))
            for (n, name) in state.order.enumerated() {
                if n > 0 { out.append(contentsOf: Array(",".utf8)) }
                out.append(Self.encode(name))
                out.append(contentsOf: Array(":{".utf8))
                if info {
                    out.append(contentsOf: Array("\"info\":".utf8))
                    out.append(state.info[name]!)
                }
                if status {
                    if info { out.append(contentsOf: Array(",".utf8)) }
                    out.append(contentsOf: Array("\"status\":".utf8))
                    out.append(state.status[name]!)
                }
                out.append(contentsOf: Array("}".utf8))
            }
            out.append(contentsOf: Array("}".utf8))
            return out
        }
    }

    public func names() -> Data {
        Self.encode(state.withLockedValue { $0.order })
    }

    public func status(of name: String) -> Data? {
        state.withLockedValue { $0.status[name] }
    }

    public func config(of name: String) -> Data? {
        connector(name).map { Self.encode($0.liveConfig) }
    }

    public func topics(of name: String) -> Data? {
        connector(name).map { Self.encode([name: ["topics": $0.topics]]) }
    }

    /// A sink's offsets per topic-partition, a source's as its own map (Debezium's LSN).
    public func offsets(of name: String) -> Data? {
        guard let connector = connector(name) else { return nil }
        let offsets: [[String: Any]]
        if connector.kind.isSource {
            offsets = [["partition": ["server": connector.team], "offset": ["lsn": 24_023_128 + connector.index, "txId": 780 + connector.index]]]
        } else {
            offsets = (0..<3).map { p in ["partition": ["kafka_topic": connector.topics[0], "kafka_partition": p], "offset": ["kafka_offset": 1_000 * (p + 1) + connector.index]] }
        }
        return Self.encode(["offsets": offsets])
    }

    /// Restarts: failed tasks run again. Pause, resume and stop change the connector's state.
    public func act(_ action: String, on name: String) -> Bool {
        state.withLockedValue { state in
            guard var connector = state.connectors[name] else { return false }
            switch action {
            case "restart": if connector.state == .failed || connector.state == .degraded { connector.state = .running }
            case "pause": connector.state = .paused
            case "resume": connector.state = .running
            case "stop": connector.state = .stopped
            default: return false
            }
            state.connectors[name] = connector
            state.status[name] = Self.encode(Self.status(connector, workers: Self.workers(index)))
            return true
        }
    }

    /// Between two bulk reads, `spec.churn` of the connectors change: a running one's task fails,
    /// a failed one recovers.
    private func churn(_ state: inout State) {
        state.bulkReads += 1
        guard spec.churn > 0 else { return }
        let salt = 1_000 + UInt64(state.bulkReads) * 7 + UInt64(index)
        for name in state.order {
            guard var connector = state.connectors[name], FleetSpec.unit(connector.index, salt: salt) < spec.churn else { continue }
            switch connector.state {
            case .running: connector.state = .failed
            case .failed: connector.state = .running
            default: continue
            }
            state.connectors[name] = connector
            state.status[name] = Self.encode(Self.status(connector, workers: Self.workers(index)))
        }
    }

    // MARK: Connect's shapes

    static func workers(_ cluster: Int) -> [String] {
        (1...3).map { "10.0.\(cluster + 1).\($0):8083" }
    }

    static func info(_ connector: FleetConnector) -> [String: Any] {
        let tasks = connector.state == .stopped ? 0 : connector.tasks
        return ["name": connector.name, "config": connector.liveConfig, "type": connector.kind.isSource ? "source" : "sink",
                "tasks": (0..<tasks).map { ["connector": connector.name, "task": $0] as [String: Any] }]
    }

    static func status(_ connector: FleetConnector, workers: [String]) -> [String: Any] {
        let worker = workers[connector.index % workers.count]
        let connectorState: String = switch connector.state {
        case .paused: "PAUSED"
        case .stopped: "STOPPED"
        default: "RUNNING"
        }
        let tasks: [[String: Any]] = connector.state == .stopped ? [] : (0..<connector.tasks).map { id in
            var task: [String: Any] = ["id": id, "worker_id": workers[(connector.index + id) % workers.count]]
            switch connector.state {
            case .paused: task["state"] = "PAUSED"
            case .failed where id == 0, .degraded where id == 1:
                task["state"] = "FAILED"
                task["trace"] = trace(connector)
            default: task["state"] = "RUNNING"
            }
            return task
        }
        return ["name": connector.name, "connector": ["state": connectorState, "worker_id": worker], "tasks": tasks,
                "type": connector.kind.isSource ? "source" : "sink"]
    }

    /// A Java stack trace of the length real ones have, its cause at the bottom.
    static func trace(_ connector: FleetConnector) -> String {
        let frames = (0..<24).map { "\tat org.apache.kafka.connect.runtime.WorkerTask.frame\($0)(WorkerTask.java:\(200 + $0))" }.joined(separator: "\n")
        return "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\n\(frames)\n"
            + "Caused by: org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved (\(connector.name))\n\t... 24 more\n"
    }

    static func encode(_ value: Any) -> Data {
        if let string = value as? String {
            // A bare string (a JSON key).
            return try! JSONSerialization.data(withJSONObject: [string], options: [.withoutEscapingSlashes]).dropFirst().dropLast()
        }
        return try! JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes])
    }
}
