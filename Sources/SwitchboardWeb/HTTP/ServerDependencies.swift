import Foundation
import Hummingbird
import Logging
import Reconciler
import SwitchboardControllers
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardMetrics
import SwitchboardSnapshot
import SwitchboardStorage

/// What the routes work with: the snapshot and what follows it (data flow, metrics), the audit
/// log and the server's storage, sign-in, and the GitOps controller when a repository is
/// followed. Built and wired by the server's assembly (`ServerDependencies.assemble` in
/// SwitchboardServer); the routes only read from it.
public struct ServerDependencies: Sendable {
    public let store: SnapshotStore
    /// Topics, history and readings of the lineage and the charts.
    public let flow: DataFlow
    /// What /metrics serves.
    public let metrics: ServerMetrics
    public let audit: AuditLog
    public let auth: AuthSettings
    public let logger: Logger
    /// The overview's table by filter and page, and list API bodies by query.
    let pageCache = RenderCache<HTML>()
    let apiCache = RenderCache<ByteBuffer>()
    /// A connector page's topics and offsets, read once per connector per few seconds however many view it.
    let glances = CoalescingCache<ConnectorPage.Live>()
    /// The newest dead letters of a sink, read from the broker once per connector per few seconds however many ask.
    let deadLetterReads = CoalescingCache<DeadLetterPeek.Read>(lifetime: .seconds(10))
    public let deadLetterPeek: DeadLetterPeek
    /// What a cluster says of a plugin, for the New connector page: read once a minute per cluster and class.
    let scaffolds = CoalescingCache<Result<ConnectorScaffold, ConnectorScaffolder.Refused>>(lifetime: .seconds(60))
    /// Server-side sessions and the sign-in throttle, shared by every request.
    public let sessions: any SessionKeeper
    public let throttle = SignInThrottle()
    /// Personal API tokens, kept in the audit log's database.
    public let apiTokens: APITokens
    /// The GitOps controller, when the server follows a repository.
    public let gitops: GitOpsController?
    /// The shared secret of push webhooks (`X-Hub-Signature-256`); nil: webhooks are refused.
    public let webhookSecret: [UInt8]?
    /// Whether the server is stopping (readiness answers 503 from its first moment).
    public let lifecycle: ReplicaLifecycle
    /// The clusters in maintenance (shown on every page; the controllers hold off there).
    public let maintenance: MaintenanceBook

    public init(store: SnapshotStore, flow: DataFlow, metrics: ServerMetrics, audit: AuditLog, auth: AuthSettings, gitops: GitOpsController? = nil, webhookSecret: [UInt8]? = nil,
                lifecycle: ReplicaLifecycle = ReplicaLifecycle(), maintenance: MaintenanceBook? = nil, logger: Logger = Logger(label: "switchboard.server")) {
        self.lifecycle = lifecycle
        self.maintenance = maintenance ?? MaintenanceBook(storage: audit.storage)
        self.flow = flow
        self.metrics = metrics
        self.gitops = gitops
        self.webhookSecret = webhookSecret
        self.store = store
        self.deadLetterPeek = DeadLetterPeek(store: store)
        self.audit = audit
        self.auth = auth
        self.logger = logger
        self.apiTokens = APITokens(storage: audit.storage, localUsers: auth.localUsers)
        self.sessions = audit.storage.sharedSessions ?? SessionStore()
    }

    /// The catalog served now (the last good commit when a repository is followed).
    public var catalog: Catalog { store.catalog }
    public var connections: ClusterConnections { store.connections }
    var permissions: Permissions { Permissions(catalog: catalog) }
    var tokens: Tokens { Tokens(secret: auth.secret) }
    var actions: ConnectorActions {
        ConnectorActions(store: store, operations: ConnectorOperations(connections: connections), permissions: permissions, audit: audit, logger: logger,
                         changed: { [glances] key in glances.forget(key) })
    }
}
