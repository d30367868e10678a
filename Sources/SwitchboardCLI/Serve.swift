import ArgumentParser
import Crypto
import Foundation
import Hummingbird
import Logging
import Reconciler
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardMetrics
import SwitchboardServer
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the web UI and JSON API over every cluster of the catalog.",
        discussion: """
            Polls every cluster with one bulk call per interval and serves pages and the API from \
            that snapshot. Everyone signed in may read; only members of a connector's owning team \
            (team.yaml) and platform admins (switchboard.yaml) may restart, pause, resume or stop \
            it, and every action and refused action goes to the audit log (SQLite).

            Sign-in, at least one of:
              --users-file FILE      local users with bcrypt-hashed passwords (switchboard users hash-password)
              --trusted-proxy ADDR   trust X-Forwarded-User/-Groups/-Email from this proxy address or IPv4 CIDR (oauth2-proxy)
            Without either, serve refuses to start unless given --insecure-dev (development only: \
            everyone acts as an admin, and every page says so).

            The session secret comes from $SWITCHBOARD_SESSION_SECRET; without it a random one is \
            made at start, and a restart signs local users out.

            Replicas: with --database postgres://... the audit log, API tokens, sessions and the \
            controllers' state live in PostgreSQL; every replica serves pages, the API and actions, \
            and one at a time (a PostgreSQL advisory lock, taken over within seconds when its \
            holder dies) runs the auto-restart and GitOps controllers. Every replica needs the \
            same $SWITCHBOARD_SESSION_SECRET.

            Stopping: on SIGTERM or SIGINT the server is not ready at once (GET /readyz answers \
            503; /healthz still answers), starts no new work, lets a sync under way finish what it \
            wrote and records the rest as interrupted, releases the controllers' lease (another \
            replica takes over within seconds), then exits 0 within --shutdown-timeout. A replica \
            that dies instead leaves its sync open; the next holder of the lease reads the cluster \
            and records what was applied before it syncs.

            Data flow: the lineage (connectors -> topics -> connectors, /lineage) and each connector's \
            state, lag and throughput charts. The charts' history is kept in memory (four hours of \
            one-minute samples per connector) unless --prometheus-url names a Prometheus that \
            scrapes this server. Lag and throughput need the cluster's `kafka:` settings. See \
            docs/data-flow.md.

            GitOps: with --git-repository the catalog comes from a git repository instead of --catalog. \
            The branch is fetched every --sync-interval seconds (and at once on a push webhook to \
            POST /hooks/git signed with the secret of --webhook-secret-file or $SWITCHBOARD_WEBHOOK_SECRET). \
            Each new commit is validated like `switchboard validate`; a commit with problems is \
            not applied, the last good one stays served, and the GitOps page says why. Clusters \
            with `gitops: {mode: auto}` (the default) get each new commit applied with every guard \
            of `apply` (deletion limit, protect, Connect's validation first); `mode: manual` ones \
            show the pending plan. `drift: correct` restores changes made behind Switchboard's \
            back at every sync; `drift: report` (the default) only shows them. See docs/gitops.md.

            Examples:
              switchboard serve --catalog examples/catalog --users-file examples/users.yaml
              switchboard serve --catalog /etc/switchboard/catalog --host 0.0.0.0 --trusted-proxy 10.0.0.0/8 --secure-cookies
              switchboard serve --git-repository https://git.example.com/platform/catalog.git --git-branch main \\
                --webhook-secret-file /etc/switchboard/webhook-secret --users-file users.yaml
            """
    )

    @OptionGroup var options: CatalogOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "Seconds between polls of the clusters.")
    var pollInterval = 5

    @Option(help: ArgumentHelp("The audit log's SQLite file (one replica).", valueName: "file"))
    var auditDb = ".switchboard/audit.sqlite"

    @Option(help: ArgumentHelp("Keep the audit log, API tokens, sessions and controller state in PostgreSQL instead, shared by replicas: postgres://user@host:5432/db (password in the URL or $PGPASSWORD; ?sslmode=disable|prefer|require; default $SWITCHBOARD_DATABASE). One replica at a time runs the controllers.", valueName: "url"))
    var database: String?

    /// `--database`, else `$SWITCHBOARD_DATABASE` (never a default shown by --help: it may hold a password).
    var databaseURL: String? {
        database ?? ProcessInfo.processInfo.environment["SWITCHBOARD_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    @Option(help: ArgumentHelp("How long the audit log keeps an entry: days (90d), hours (36h), or forever (the default). The replica holding the lease deletes older entries hourly, the oldest first, and records how many it deleted.", valueName: "age"))
    var auditRetention = "forever"

    /// `--audit-retention` as a duration; nil for forever.
    var retention: Duration? {
        get throws {
            let text = auditRetention.trimmingCharacters(in: .whitespaces).lowercased()
            if text == "forever" { return nil }
            guard let unit = text.last, ["d", "h"].contains(unit), let number = Int(text.dropLast()), number >= 1, number <= 36_500 * (unit == "h" ? 24 : 1) else {
                throw ValidationError("--audit-retention must be days like 90d, hours like 36h, or forever (got '\(auditRetention)').")
            }
            return .seconds(number * (unit == "d" ? 86_400 : 3_600))
        }
    }

    @Option(help: ArgumentHelp("Local users with bcrypt-hashed passwords (YAML).", valueName: "file"))
    var usersFile: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp("An auth proxy's address or IPv4 CIDR whose user headers are trusted (repeat for more).", valueName: "addr"))
    var trustedProxies: [String] = []

    @Flag(help: "Development only: no sign-in; everyone acts as a platform admin, and every page shows a warning.")
    var insecureDev = false

    @Flag(help: "Mark cookies Secure and send HSTS (when served over HTTPS).")
    var secureCookies = false

    @Option(name: .customLong("git-repository"), help: ArgumentHelp("Follow this catalog repository (a URL git can fetch, or a local path) instead of --catalog, and apply its new commits (see GitOps above).", valueName: "url"))
    var gitRepository: String?

    @Option(help: ArgumentHelp("The branch to follow.", valueName: "name"))
    var gitBranch = "main"

    @Option(help: ArgumentHelp("The catalog's folder inside the repository (default: its top).", valueName: "path"))
    var gitFolder: String?

    @Option(help: "Seconds between fetches of the repository (a signed push webhook syncs at once).")
    var syncInterval = 60

    @Option(help: ArgumentHelp("A file holding the shared secret that push webhooks are signed with (else $SWITCHBOARD_WEBHOOK_SECRET; without either, webhooks are refused).", valueName: "file"))
    var webhookSecretFile: String?

    @Option(help: ArgumentHelp("Read the connector charts' history from this Prometheus (which scrapes this server's /metrics) instead of memory, so that it survives restarts: http://prometheus:9090.", valueName: "url"))
    var prometheusURL: String?

    @Option(help: ArgumentHelp("Seconds per sample of the charts' history in memory (240 samples per connector: 4 hours at the default 60).", valueName: "seconds"))
    var historyResolution = 60

    @Option(help: ArgumentHelp("Where the controller keeps its copy of the repository and the checked-out commits.", valueName: "dir"))
    var gitopsState = ".switchboard/gitops"

    @Option(help: ArgumentHelp("Seconds a stop (SIGTERM, SIGINT) may take: readiness fails at once, a sync under way writes nothing more and records what it did, the lease is released, then the process exits 0. Keep it below the orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds).", valueName: "seconds"))
    var shutdownTimeout = 10

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535.") }
        guard pollInterval >= 1 else { throw ValidationError("--poll-interval must be at least 1 second.") }
        guard (3...600).contains(shutdownTimeout) else { throw ValidationError("--shutdown-timeout must be between 3 and 600 seconds.") }
        _ = try retention
        for proxy in trustedProxies where AddressRange(proxy) == nil {
            throw ValidationError("--trusted-proxy '\(proxy)' is not an IP address or IPv4 CIDR (like 10.0.0.0/8).")
        }
        if databaseURL != nil && (ProcessInfo.processInfo.environment["SWITCHBOARD_SESSION_SECRET"] ?? "").isEmpty {
            throw ValidationError("with --database, set $SWITCHBOARD_SESSION_SECRET, the same on every replica: sessions and their CSRF tokens are shared, and a token signed by one replica must check on another.")
        }
        if databaseURL != nil && auditDb != ".switchboard/audit.sqlite" {
            throw ValidationError("give either --audit-db (SQLite, one replica) or --database (PostgreSQL, shared by replicas), not both.")
        }
        guard (1...3600).contains(historyResolution) else { throw ValidationError("--history-resolution must be between 1 and 3600 seconds.") }
        if let prometheusURL, let problem = PrometheusRanges.problem(prometheusURL) {
            throw ValidationError("--prometheus-url: \(problem).")
        }
        guard syncInterval >= 5 else { throw ValidationError("--sync-interval must be at least 5 seconds.") }
        if gitRepository != nil && options.catalog != nil {
            throw ValidationError("give either --catalog (a folder) or --git-repository (a repository the server follows), not both.")
        }
        if gitRepository == nil {
            for (flag, given) in [("--git-branch", gitBranch != "main"), ("--git-folder", gitFolder != nil), ("--webhook-secret-file", webhookSecretFile != nil), ("--sync-interval", syncInterval != 60)] where given {
                throw ValidationError("\(flag) is for a server that follows a repository; add --git-repository URL.")
            }
        }
        if let gitRepository, let problem = GitRepository.problem(url: gitRepository, branch: gitBranch) {
            throw ValidationError("--git-repository/--git-branch: \(problem).")
        }
        if usersFile == nil && trustedProxies.isEmpty && !insecureDev {
            throw ValidationError("serve needs a way to sign people in: --users-file FILE and/or --trusted-proxy ADDR. For local development only, --insecure-dev.")
        }
    }

    func run() async throws {
        FreedMemory.tuneForServer()
        // The level comes from $SWITCHBOARD_LOG_LEVEL (see ScrubbingLogHandler.bootstrap); the
        // Connect clients, the poller and the routes all log through this one.
        let logger = Logger(label: "switchboard")
        let audit = try await openAuditLog(logger: logger)
        let catalog: Catalog
        let connections: ClusterConnections
        var following: (repository: GitRepository, start: GitOpsStart)?
        if let gitRepository {
            let repository = GitRepository(url: gitRepository, branch: gitBranch, folder: gitFolder, stateFolder: URL(fileURLWithPath: gitopsState, isDirectory: true),
                                           deadline: max(options.networkTimeout, .seconds(60)))
            print("Fetching \(Scrubber.scrub(gitRepository)) branch \(gitBranch)...")
            fflush(nil)
            let start = try await Output.guarding { try await GitOpsController.start(repository: repository, audit: audit, timeout: options.networkTimeout, logger: logger) }
            if let rejected = start.rejected {
                Output.error("the newest commit \(rejected.commit.summary) has problems; serving the last good one, \(start.commit.summary):\n" + rejected.problems.joined(separator: "\n"))
            }
            (catalog, connections, following) = (start.catalog, start.connections, (repository, start))
        } else {
            catalog = try options.loadCatalog()
            connections = try options.connections(for: catalog, logger: logger)
        }
        let webhookSecret = try loadWebhookSecret()
        let auth = try authSettings(catalog)
        let prometheus = prometheusURL.flatMap(URL.init(string:)).map { PrometheusRanges(url: $0, timeout: min(options.networkTimeout, .seconds(3))) }
        let store = SnapshotStore(catalog: catalog, connections: connections, logger: logger)
        let metrics = ServerMetrics()
        let lifecycle = ReplicaLifecycle()
        let maintenance = MaintenanceBook(storage: audit.storage)
        // Read before any controller starts: a window not read would let them act on a cluster in maintenance.
        try await Output.guarding { try await maintenance.refresh() }
        let gitops = following.map { GitOpsController(store: store, audit: audit, metrics: metrics, repository: $0.repository, served: $0.start, interval: .seconds(syncInterval),
                                                      timeout: options.networkTimeout, lifecycle: lifecycle, maintenance: maintenance, logger: logger) }
        let dependencies = ServerDependencies.assemble(store: store, audit: audit, auth: auth, flow: DataFlow(history: FlowHistory(resolution: TimeInterval(historyResolution)), prometheus: prometheus),
                                                       metrics: metrics, gitops: gitops, webhookSecret: webhookSecret, lifecycle: lifecycle, maintenance: maintenance, logger: logger)
        await store.refresh(details: true)
        let snapshot = store.current
        print("Switchboard serves http://\(host):\(port) (\(snapshot.connectors.count) connectors on \(catalog.clusters.count) cluster(s); audit log in \(audit.storage.description))")
        if insecureDev { print("WARNING: --insecure-dev: nobody signs in and everyone acts as a platform admin.") }
        if let following {
            print("Following \(Scrubber.scrub(following.repository.url)) branch \(gitBranch): serving commit \(following.start.commit.summary); syncing every \(syncInterval) s"
                  + (webhookSecret == nil ? " (push webhooks off: no secret)" : " and on signed pushes to POST /hooks/git"))
        }
        for cluster in snapshot.unreachable { print("WARNING: cluster \(cluster.name) is unreachable: \(cluster.lastError ?? "")") }
        fflush(nil)
        try await runUntilStopped(dependencies)
    }
}

extension Serve {
    /// Runs the server's services until SIGTERM or SIGINT, then stops them within
    /// --shutdown-timeout (see `serverGroup`) and returns: exit code 0. Should even the
    /// cancellation hang, the process ends at the deadline with exit code 1, saying so.
    func runUntilStopped(_ dependencies: ServerDependencies) async throws {
        let lifecycle = dependencies.lifecycle
        let group = serverGroup(dependencies, host: host, port: port, pollInterval: .seconds(pollInterval), shutdownTimeout: .seconds(shutdownTimeout),
                                auditRetention: try retention) { [shutdownTimeout] in
            Output.line("Stopping: not ready from now on; finishing the work under way within \(shutdownTimeout) s (--shutdown-timeout)")
            fflush(nil)
            Task.detached {
                try? await Task.sleep(for: .seconds(shutdownTimeout))
                Output.standardError("Error: serve did not stop within --shutdown-timeout (\(shutdownTimeout) s); exiting anyway. A sync left open is closed by the next replica to run the controllers.")
                Foundation.exit(1)
            }
        }
        do {
            try await group.run()
        } catch let error as CancellationError where lifecycle.isStopping {
            _ = error  // what a stop that ran out of time leaves: the work was cancelled, as intended
        }
        guard lifecycle.isStopping else {
            Output.error("the server ended without being asked to stop.")
            throw ExitCode.failure
        }
        Output.line("Stopped.")
    }
}
