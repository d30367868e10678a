import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardDataFlow
import SwitchboardMetrics
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb

// The server's composition root: the one place where the modules are wired to each other. Each
// module knows only those below it (see the README's module graph); what follows the snapshots
// learns of them here, as observers.

extension ServerDependencies {
    /// A server over `store`: the data flow and the metrics follow its snapshots (the lineage is
    /// built before a snapshot is published), the metrics follow the lag poller's readings, and
    /// every audited action is counted in `switchboard_actions_total` with its connector's team.
    public static func assemble(store: SnapshotStore, audit: AuditLog, auth: AuthSettings, flow: DataFlow = DataFlow(), metrics: ServerMetrics = ServerMetrics(),
                                gitops: GitOpsController? = nil, webhookSecret: [UInt8]? = nil, lifecycle: ReplicaLifecycle = ReplicaLifecycle(),
                                maintenance: MaintenanceBook? = nil, logger: Logger = Logger(label: "switchboard.server")) -> ServerDependencies {
        store.observe(flow)
        store.observe(metrics)
        flow.observeReadings { readings in metrics.readingsChanged(.init(lag: readings.lag, rates: readings.rates, deadLetters: readings.deadLetters)) }
        // A connector's team: the snapshot's word (catalog or name), else the catalog's for one
        // not read yet (a GitOps create).
        audit.resolveTeams { cluster, connector in
            store.current.connectors[ConnectorView.key(cluster: cluster, name: connector)]?.team
                ?? store.catalog.connectors(on: cluster).first { $0.fullName == connector }?.team
        }
        audit.observe { entry in
            // The action's verb: "restart includeTasks onlyFailed" counts as "restart".
            let action = entry.action.split(separator: " ").first.map(String.init) ?? entry.action
            metrics.recordAction(cluster: entry.cluster, team: entry.team, action: action, outcome: entry.outcome.rawValue)
        }
        return ServerDependencies(store: store, flow: flow, metrics: metrics, audit: audit, auth: auth, gitops: gitops, webhookSecret: webhookSecret, lifecycle: lifecycle,
                                  maintenance: maintenance ?? gitops?.maintenance, logger: logger)
    }
}

/// The services of a running server, each a swift-service-lifecycle `Service`: the poller that
/// refreshes the snapshot, the lag poller, the topic poller (the lineage's topics), the
/// auto-restart controller that acts on each new snapshot, the controller that puts log levels
/// back in time, and the GitOps controller when the server follows a repository.
///
/// With several replicas (PostgreSQL) only the lease holder reads topics and lag; the others take
/// its rounds from the storage (``StoredFlowShare``). Every replica reads its own snapshot.
public func serverServices(_ dependencies: ServerDependencies, pollInterval: Duration, auditRetention: Duration? = nil) -> [any Service] {
    let storage = dependencies.audit.storage
    let share: any FlowShare = storage.lease is SoleReplica ? LocalFlow() : StoredFlowShare(storage: storage, logger: dependencies.logger)
    var services: [any Service] = [
        SnapshotPoller(store: dependencies.store, interval: pollInterval),
        LagPoller(store: dependencies.store, flow: dependencies.flow, interval: max(pollInterval, .seconds(5)), share: share, logger: dependencies.logger),
        AutoRestarter(store: dependencies.store, audit: dependencies.audit, interval: pollInterval, lifecycle: dependencies.lifecycle, maintenance: dependencies.maintenance,
                      logger: dependencies.logger),
        MaintenanceWatcher(book: dependencies.maintenance, logger: dependencies.logger),
        TopicPoller(store: dependencies.store, flow: dependencies.flow, share: share, logger: dependencies.logger),
        LogLevelRestorer(store: dependencies.store, audit: dependencies.audit, logger: dependencies.logger),
        AuditKeeper(store: dependencies.store, audit: dependencies.audit, retention: auditRetention, logger: dependencies.logger),
    ]
    if let gitops = dependencies.gitops { services.append(gitops) }
    return services
}

/// The whole server: the router on `host:port` and ``serverServices(_:pollInterval:)``.
public func buildApplication(_ dependencies: ServerDependencies, host: String, port: Int, pollInterval: Duration) -> some ApplicationProtocol {
    Application(
        router: buildRouter(dependencies),
        configuration: .init(address: .hostname(host, port: port), serverName: "switchboard"),
        services: serverServices(dependencies, pollInterval: pollInterval),
        logger: dependencies.logger
    )
}

/// `switchboard serve` as one service group, stopped by SIGTERM or SIGINT in this order (a group
/// stops its services in reverse): the ``StopWatcher`` marks the stop (readiness 503 from then
/// on); the GitOps controller ends its nap, or finishes its sync without writing anything more
/// and records what it did; the other controllers and the pollers end; the lease is released
/// (another replica takes over within its lease period); the HTTP server stops accepting and
/// finishes the requests under way. What has not ended `shutdownTimeout` minus two seconds
/// after the signal is cancelled (the controllers' records are written in tasks of their own),
/// and `onStop` is called at the first moment, to stop the process by force should even that hang.
public func serverGroup(_ dependencies: ServerDependencies, host: String, port: Int, pollInterval: Duration, shutdownTimeout: Duration, auditRetention: Duration? = nil,
                        onStop: @escaping @Sendable () -> Void = {}) -> ServiceGroup {
    let app = Application(router: buildRouter(dependencies), configuration: .init(address: .hostname(host, port: port), serverName: "switchboard"), logger: dependencies.logger)
    let services: [any Service] = [app, LeaseRelease(lease: dependencies.audit.storage.lease)]
        + serverServices(dependencies, pollInterval: pollInterval, auditRetention: auditRetention)
        + [StopWatcher(lifecycle: dependencies.lifecycle, onStop: onStop)]
    var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: dependencies.logger)
    configuration.maximumGracefulShutdownDuration = max(shutdownTimeout - .seconds(2), .seconds(1))
    return ServiceGroup(configuration: configuration)
}
