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

    /// The stored properties, behind one reference that copies share until one of them changes
    /// (copy on write): a view's fields are some 300 bytes, and the tables of 20,000 views (the
    /// snapshot's, the memo's, the one a poll builds beside them) held them all inline.
    struct Fields: Sendable, Codable, Equatable {
        var name: String
        var cluster: String
        var team: String?
        var state: String
        var type: String?
        var connectorClass: String?
        var pluginVersion: String?
        var worker: String?
        var trace: String?
        var cause: String?
        var tasks: [Task]
        var config: [String: String]
        var source: SourceLocation?
        var managed: Bool
        var ownership: Ownership
        var drift: [KeyChange]
        var stateDrift: DesiredState?
        var autoRestart: AutoRestartPolicy
        var restartStatus: AutoRestartStatus?
    }

    /// Changed in place only while no other view holds it (``update(_:_:)``), as Swift's own
    /// copy-on-write types are: that is what makes sending it across threads safe.
    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    private mutating func update<Value>(_ field: WritableKeyPath<Fields, Value>, _ value: Value) {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        box.fields[keyPath: field] = value
    }

    public var name: String { get { box.fields.name } set { update(\.name, newValue) } }
    public var cluster: String { get { box.fields.cluster } set { update(\.cluster, newValue) } }
    /// The owning team: from the catalog, else from the name's prefix when it names a known team.
    public var team: String? { get { box.fields.team } set { update(\.team, newValue) } }
    public var state: String { get { box.fields.state } set { update(\.state, newValue) } }
    public var type: String? { get { box.fields.type } set { update(\.type, newValue) } }
    public var connectorClass: String? { get { box.fields.connectorClass } set { update(\.connectorClass, newValue) } }
    /// The version of its plugin that runs, as Connect 4.1+ reports it (nil before 4.1).
    public var pluginVersion: String? { get { box.fields.pluginVersion } set { update(\.pluginVersion, newValue) } }
    public var worker: String? { get { box.fields.worker } set { update(\.worker, newValue) } }
    /// The connector's own failure trace.
    public var trace: String? { get { box.fields.trace } set { update(\.trace, newValue) } }
    /// Why it fails, in one line: the innermost cause of its trace, else of its first failed
    /// task's (``FailureCause``); nil when nothing failed. Shown wherever a failure is named, to
    /// those who may read the connector's traces (readers and up): its message is the trace's.
    public var cause: String? { get { box.fields.cause } set { update(\.cause, newValue) } }
    public var tasks: [Task] { get { box.fields.tasks } set { update(\.tasks, newValue) } }
    /// The stored config, secret values masked.
    public var config: [String: String] { get { box.fields.config } set { update(\.config, newValue) } }
    /// The catalog file that defines it, if any.
    public var source: SourceLocation? { get { box.fields.source } set { update(\.source, newValue) } }
    /// Whether the catalog defines it.
    public var managed: Bool { get { box.fields.managed } set { update(\.managed, newValue) } }
    /// What the next apply does with it, in the plan's words (``Ownership/phrase``).
    public var ownership: Ownership { get { box.fields.ownership } set { update(\.ownership, newValue) } }
    /// Keys whose live value differs from the catalog (secret values masked).
    public var drift: [KeyChange] { get { box.fields.drift } set { update(\.drift, newValue) } }
    /// The state the catalog wants when Connect's differs (paused or stopped by hand, say).
    public var stateDrift: DesiredState? { get { box.fields.stateDrift } set { update(\.stateDrift, newValue) } }
    /// The auto-restart policy in force: the catalog file's, else the platform's.
    public var autoRestart: AutoRestartPolicy { get { box.fields.autoRestart } set { update(\.autoRestart, newValue) } }
    /// What the auto-restart controller has done, once it has restarted or given up on it.
    public var restartStatus: AutoRestartStatus? { get { box.fields.restartStatus } set { update(\.restartStatus, newValue) } }

    /// The live config or state differs from the catalog.
    public var drifts: Bool { !drift.isEmpty || stateDrift != nil }

    public init(name: String, cluster: String, team: String?, state: String, type: String?, connectorClass: String?, worker: String?, trace: String?, tasks: [Task],
                config: [String: String], source: SourceLocation?, managed: Bool, ownership: Ownership, drift: [KeyChange], stateDrift: DesiredState?,
                autoRestart: AutoRestartPolicy, restartStatus: AutoRestartStatus? = nil, pluginVersion: String? = nil) {
        box = Box(Fields(
            name: name, cluster: cluster, team: team, state: state, type: type, connectorClass: connectorClass, pluginVersion: pluginVersion,
            worker: worker, trace: trace, cause: FailureCause.innermost(trace ?? tasks.first { $0.state == "FAILED" && $0.trace != nil }?.trace),
            tasks: tasks, config: config, source: source, managed: managed, ownership: ownership, drift: drift, stateDrift: stateDrift,
            autoRestart: autoRestart, restartStatus: restartStatus))
    }

    /// The fields' JSON, as before they were boxed (the box is not part of it).
    public init(from decoder: any Decoder) throws { box = Box(try Fields(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try box.fields.encode(to: encoder) }

    public static func == (lhs: ConnectorView, rhs: ConnectorView) -> Bool { lhs.box === rhs.box || lhs.box.fields == rhs.box.fields }

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
