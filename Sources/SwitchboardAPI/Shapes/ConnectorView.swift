import Foundation
import SwitchboardCore

/// One connector as pages and the API show it, built once per poll (the snapshot's
/// `ConnectorView.make`). Config values of secret keys are masked there, and every secret value
/// of the cluster is scrubbed from failure traces (an exception can quote a connection string):
/// nothing downstream holds a secret, so nothing can show one.
public struct ConnectorView: Sendable, Codable, Equatable {
    public struct Task: Sendable, Codable, Equatable {
        public var id: Int
        public var state: String
        public var worker: String?
        /// The failure's stack trace (failed tasks only).
        public var trace: String?

        public init(id: Int, state: String, worker: String? = nil, trace: String? = nil) {
            (self.id, self.state, self.worker, self.trace) = (id, state, worker, trace)
        }
    }

    public var name: String
    public var cluster: String
    /// The owning team: from the catalog, else from the name's prefix when it names a known team.
    public var team: String?
    public var state: String
    public var type: String?
    public var connectorClass: String?
    /// The version of its plugin that runs, as Connect 4.1+ reports it (nil before 4.1).
    public var pluginVersion: String?
    public var worker: String?
    /// The connector's own failure trace.
    public var trace: String?
    /// Why it fails, in one line: the innermost cause of its trace, else of its first failed
    /// task's (``FailureCause``); nil when nothing failed. Shown wherever a failure is named, to
    /// those who may read the connector's traces (readers and up): its message is the trace's.
    public var cause: String?
    public var tasks: [Task]
    /// The stored config, secret values masked.
    public var config: [String: String]
    /// The catalog file that defines it, if any.
    public var source: SourceLocation?
    /// Whether the catalog defines it.
    public var managed: Bool
    /// What the next apply does with it, in the plan's words (``Ownership/phrase``).
    public var ownership: Ownership
    /// Keys whose live value differs from the catalog (secret values masked).
    public var drift: [KeyChange]
    /// The state the catalog wants when Connect's differs (paused or stopped by hand, say).
    public var stateDrift: DesiredState?
    /// The live config or state differs from the catalog.
    public var drifts: Bool { !drift.isEmpty || stateDrift != nil }
    /// The auto-restart policy in force: the catalog file's, else the platform's.
    public var autoRestart: AutoRestartPolicy
    /// What the auto-restart controller has done, once it has restarted or given up on it.
    public var restartStatus: AutoRestartStatus?

    public init(name: String, cluster: String, team: String?, state: String, type: String?, connectorClass: String?, worker: String?, trace: String?, tasks: [Task],
                config: [String: String], source: SourceLocation?, managed: Bool, ownership: Ownership, drift: [KeyChange], stateDrift: DesiredState?,
                autoRestart: AutoRestartPolicy, restartStatus: AutoRestartStatus? = nil, pluginVersion: String? = nil) {
        self.pluginVersion = pluginVersion
        self.name = name
        self.cluster = cluster
        self.team = team
        self.state = state
        self.type = type
        self.connectorClass = connectorClass
        self.worker = worker
        self.trace = trace
        self.tasks = tasks
        self.config = config
        self.source = source
        self.managed = managed
        self.ownership = ownership
        self.drift = drift
        self.stateDrift = stateDrift
        self.autoRestart = autoRestart
        self.restartStatus = restartStatus
        self.cause = FailureCause.innermost(trace ?? tasks.first { $0.state == "FAILED" && $0.trace != nil }?.trace)
    }

    /// FAILED, or meant to run with no task running (every task failed, or none assigned): it
    /// moves no data either way. PAUSED and STOPPED are someone's choice; UNKNOWN (no status
    /// read yet) is not known to be anything.
    public var isFailed: Bool {
        if state == "FAILED" { return true }
        if ["PAUSED", "STOPPED", "UNKNOWN"].contains(state) { return false }
        return !tasks.contains { $0.state == "RUNNING" }
    }
    /// Not failed, but a task is.
    public var isDegraded: Bool { !isFailed && tasks.contains { $0.state == "FAILED" } }
    /// What the overview, its counts and filters, and the API's `health` say: FAILED (as
    /// above), DEGRADED, or Connect's state.
    public var health: String { isFailed ? "FAILED" : isDegraded ? "DEGRADED" : state }
    public var failedTasks: Int { tasks.filter { $0.state == "FAILED" }.count }
    /// How urgent it is, for sorting: failed first, then degraded, then the rest.
    public var urgency: Int { isFailed ? 0 : isDegraded ? 1 : 2 }

    /// What a viewer sees: states, tasks and workers; no config, traces or drift.
    public var statusOnly: ConnectorView {
        var view = self
        view.config = [:]
        view.trace = nil
        view.drift = []
        view.stateDrift = nil
        view.tasks = tasks.map { var task = $0; task.trace = nil; return task }
        view.cause = nil  // from a trace: as the traces
        return view
    }

    /// `<cluster>/<name>`, unique over all clusters.
    public var key: String { Self.key(cluster: cluster, name: name) }

    /// `<cluster>/<name>`: how snapshots, charts and routes name a connector.
    public static func key(cluster: String, name: String) -> String { "\(cluster)/\(name)" }

    /// The cluster and name of a ``key`` (a cluster name has no `/`; a connector's may).
    public static func parts(ofKey key: String) -> (cluster: String, name: String) {
        let cluster = String(key.prefix { $0 != "/" })
        return (cluster, String(key.dropFirst(cluster.count + 1)))
    }
}
