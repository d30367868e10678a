import ArgumentParser
import Crypto
import Foundation
import Hummingbird
import Logging
import Reconciler
import SwitchboardCore
import SwitchboardServer

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

            Examples:
              switchboard serve --catalog examples/catalog --users-file examples/users.yaml
              switchboard serve --catalog /etc/switchboard/catalog --host 0.0.0.0 --trusted-proxy 10.0.0.0/8 --secure-cookies
            """
    )

    @OptionGroup var options: CatalogOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "Seconds between polls of the clusters.")
    var pollInterval = 5

    @Option(help: ArgumentHelp("The audit log's SQLite file.", valueName: "file"))
    var auditDb = ".switchboard/audit.sqlite"

    @Option(help: ArgumentHelp("Local users with bcrypt-hashed passwords (YAML).", valueName: "file"))
    var usersFile: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp("An auth proxy's address or IPv4 CIDR whose user headers are trusted (repeat for more).", valueName: "addr"))
    var trustedProxies: [String] = []

    @Flag(help: "Development only: no sign-in; everyone acts as a platform admin, and every page shows a warning.")
    var insecureDev = false

    @Flag(help: "Mark cookies Secure and send HSTS (when served over HTTPS).")
    var secureCookies = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535.") }
        guard pollInterval >= 1 else { throw ValidationError("--poll-interval must be at least 1 second.") }
        for proxy in trustedProxies where AddressRange(proxy) == nil {
            throw ValidationError("--trusted-proxy '\(proxy)' is not an IP address or IPv4 CIDR (like 10.0.0.0/8).")
        }
        if usersFile == nil && trustedProxies.isEmpty && !insecureDev {
            throw ValidationError("serve needs a way to sign people in: --users-file FILE and/or --trusted-proxy ADDR. For local development only, --insecure-dev.")
        }
    }

    func run() async throws {
        let catalog = try options.loadCatalog()
        // The level comes from $SWITCHBOARD_LOG_LEVEL (see ScrubbingLogHandler.bootstrap); the
        // Connect clients, the poller and the routes all log through this one.
        let logger = Logger(label: "switchboard")
        let connections = try options.connections(for: catalog, logger: logger)
        var auth = AuthSettings(secureCookies: secureCookies)
        if let secret = ProcessInfo.processInfo.environment["SWITCHBOARD_SESSION_SECRET"], !secret.isEmpty {
            auth.secret = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
        }
        if let usersFile {
            auth.localUsers = try Output.guarding { try LocalUsers.load(from: URL(fileURLWithPath: usersFile)) }
        }
        if !trustedProxies.isEmpty {
            auth.proxy = .init(trustedProxies: trustedProxies.compactMap(AddressRange.init))
        }
        if insecureDev {
            auth.insecureDevelopmentUser = User(name: "developer", groups: catalog.admins.groups.prefix(1).map { $0 }, source: .insecureDevelopment)
            if catalog.admins.groups.isEmpty {
                Output.error("--insecure-dev acts as a platform admin, but switchboard.yaml names no admin group (admins.groups).")
                throw ExitCode.failure
            }
        }
        let audit = try Output.guarding { try AuditLog(path: auditDb) }
        let store = SnapshotStore(catalog: catalog, connections: connections, logger: logger)
        await store.refresh(details: true)
        let dependencies = ServerDependencies(catalog: catalog, store: store, connections: connections, audit: audit, auth: auth, logger: logger)
        let app = buildApplication(dependencies, host: host, port: port, pollInterval: .seconds(pollInterval))
        let snapshot = store.current
        print("Switchboard serves http://\(host):\(port) (\(snapshot.connectors.count) connectors on \(catalog.clusters.count) cluster(s); audit log \(auditDb))")
        if insecureDev { print("WARNING: --insecure-dev: nobody signs in and everyone acts as a platform admin.") }
        for cluster in snapshot.unreachable { print("WARNING: cluster \(cluster.name) is unreachable: \(cluster.lastError ?? "")") }
        fflush(nil)
        try await app.runService()
    }
}

/// `switchboard users ...`: local users for the embedded sign-in.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage local users for `switchboard serve --users-file`.",
        subcommands: [HashPassword.self]
    )

    struct HashPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a bcrypt hash of a password read from standard input, for a users file's passwordHash.",
            discussion: "Example:\n  printf '%s' 'a long passphrase' | switchboard users hash-password"
        )

        @Option(help: "bcrypt cost (work factor).")
        var cost = 12

        func run() async throws {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                Output.error("give the password on standard input, e.g. printf '%s' 'passphrase' | switchboard users hash-password")
                throw ExitCode.failure
            }
            print(LocalUsers.hash(password, cost: UInt8(clamping: cost)))
        }
    }
}
