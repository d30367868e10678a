import ConnectClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOSSL
import PostgresNIO
import SwitchboardCore

/// The server's storage in PostgreSQL (PostgresNIO), shared by every replica: the audit log,
/// API tokens, sessions and the GitOps controller's state; a session-level advisory lock decides
/// which replica runs the controllers (``AdvisoryLease``).
///
/// Every call has a deadline (`timeout`), and its error says what was asked. Tables are created
/// at start under an advisory lock of their own, so replicas starting together do not race.
public final class PostgresStorage: ServerStorage {
    let client: PostgresClient
    let timeout: Duration
    let logger: Logger
    let address: String
    private let running: Task<Void, Never>
    private let advisory: AdvisoryLease

    /// The key of the controllers' advisory lock (any number the replicas agree on).
    static let controllerLock: Int64 = 0x5357_4244_0001
    static let schemaLock: Int64 = 0x5357_4244_0002

    /// A parsed `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`;
    /// the password may also come from `$PGPASSWORD`.
    public struct Location: Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        public var sslMode: String

        public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServerError) {
            guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
                  let host = components.host, !host.isEmpty else {
                throw ServerError("--database must be a URL like postgres://user@host:5432/switchboard (got \(Scrubber.scrub(text)))")
            }
            self.host = host
            port = components.port ?? 5432
            user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? "postgres"
            password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
            database = String(components.path.drop { $0 == "/" })
            if database.isEmpty { database = user }
            sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
            guard ["disable", "prefer", "require"].contains(sslMode) else {
                throw ServerError("--database: sslmode must be disable, prefer or require (got \(sslMode))")
            }
        }

        /// Never the password.
        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
    }

    /// Connects (within `timeout`), creates the tables if needed, and (with `competing`) starts
    /// competing for the controllers' lock every `leasePeriod`; a tool that only reads never holds it.
    public init(_ location: Location, timeout: Duration = .seconds(10), leasePeriod: Duration = .seconds(5), competing: Bool = true, logger: Logger) async throws {
        let tls: PostgresClient.Configuration.TLS = switch location.sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user, password: location.password,
                                                         database: location.database, tls: tls)
        configuration.options.connectTimeout = timeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.timeout = timeout
        self.logger = logger
        self.address = location.description
        running = Task { await client.run() }
        advisory = AdvisoryLease(client: client, key: Self.controllerLock, period: leasePeriod, logger: logger)
        do {
            try await createTables()
        } catch {
            running.cancel()
            throw error
        }
        if competing { advisory.start() }
    }

    deinit {
        advisory.stop()
        running.cancel()
    }

    public var description: String { "PostgreSQL \(address)" }
    public var lease: any ControllerLease { advisory }
    public var sharedSessions: (any SessionKeeper)? { SharedSessions(storage: self) }

    /// Runs `body` within the deadline; an error says what was asked of whom.
    func call<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = self.client
        do {
            return try await withDeadline(timeout) { try await body(client) }
        } catch let error as DeadlineExceeded {
            throw ServerError("PostgreSQL at \(address) did not \(what) within \(timeout): \(error)")
        } catch {
            throw ServerError("PostgreSQL at \(address) could not \(what): \(String(reflecting: error).prefix(500))")
        }
    }

    func createTables() async throws {
        let statements: [PostgresQuery] = [
            """
            CREATE TABLE IF NOT EXISTS audit (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, "user" TEXT NOT NULL, action TEXT NOT NULL,
              cluster TEXT NOT NULL, connector TEXT NOT NULL, task INTEGER, outcome TEXT NOT NULL, detail TEXT, offsets_before TEXT, offsets_after TEXT)
            """,
            "CREATE INDEX IF NOT EXISTS audit_on_connector ON audit (cluster, connector)",
            """
            CREATE TABLE IF NOT EXISTS api_tokens (id BIGSERIAL PRIMARY KEY, "user" TEXT NOT NULL, groups TEXT NOT NULL, source TEXT NOT NULL,
              name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
              revoked_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ)
            """,
            "CREATE INDEX IF NOT EXISTS api_tokens_on_user ON api_tokens (\"user\")",
            """
            CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, "user" TEXT NOT NULL, source TEXT NOT NULL,
              created TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS sessions_on_user ON sessions (\"user\")",
            "CREATE TABLE IF NOT EXISTS gitops_clusters (cluster TEXT PRIMARY KEY, applied_hash TEXT, applied_at TIMESTAMPTZ, matched_hash TEXT)",
            "CREATE TABLE IF NOT EXISTS gitops_served (id INTEGER PRIMARY KEY, hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS gitops_requests (id BIGSERIAL PRIMARY KEY, cluster TEXT NOT NULL, \"user\" TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS gitops_status (id INTEGER PRIMARY KEY, json TEXT NOT NULL)",
        ]
        let logger = self.logger
        try await call("create its tables") { client in
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(Self.schemaLock))", logger: logger)
                do {
                    for statement in statements { try await connection.query(statement, logger: logger) }
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.schemaLock))", logger: logger)  // the error below says why; the lock ends with the connection anyway
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.schemaLock))", logger: logger)
            }
        }
    }

    // MARK: audit

    public func insertAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        let logger = self.logger
        let id = try await call("record an audit entry") { client in
            let rows = try await client.query("""
                INSERT INTO audit (at, "user", action, cluster, connector, task, outcome, detail, offsets_before, offsets_after)
                VALUES (\(entry.at), \(entry.user), \(entry.action), \(entry.cluster), \(entry.connector), \(entry.task), \(entry.outcome.rawValue),
                        \(entry.detail), \(entry.offsetsBefore), \(entry.offsetsAfter)) RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw ServerError("no id came back")
        }
        var stored = entry
        stored.id = id
        return stored
    }

    public func auditEntries(limit: Int, cluster: String?, connector: String?) async throws -> [AuditEntry] {
        let logger = self.logger
        return try await call("read the audit log") { client in
            let rows: PostgresRowSequence
            if let cluster, let connector {
                rows = try await client.query("""
                    SELECT id, at, "user", action, cluster, connector, task, outcome, detail, offsets_before, offsets_after FROM audit
                    WHERE cluster = \(cluster) AND connector = \(connector) ORDER BY id DESC LIMIT \(limit)
                    """, logger: logger)
            } else {
                rows = try await client.query("""
                    SELECT id, at, "user", action, cluster, connector, task, outcome, detail, offsets_before, offsets_after FROM audit
                    ORDER BY id DESC LIMIT \(limit)
                    """, logger: logger)
            }
            var entries: [AuditEntry] = []
            for try await (id, at, user, action, cluster, connector, task, outcome, detail, before, after)
                in rows.decode((Int64, Date, String, String, String, String, Int?, String, String?, String?, String?).self) {
                guard let outcome = AuditEntry.Outcome(rawValue: outcome) else { throw ServerError("audit entry \(id) has an outcome Switchboard does not know: \(outcome)") }
                var entry = AuditEntry(at: at, user: user, action: action, cluster: cluster, connector: connector, task: task, outcome: outcome, detail: detail,
                                       offsetsBefore: before, offsetsAfter: after)
                entry.id = id
                entries.append(entry)
            }
            return entries
        }
    }

    // MARK: tokens

    static let tokenColumns: PostgresQuery = #"SELECT id, "user", groups, source, name, hash, created_at, expires_at, revoked_at, last_used_at FROM api_tokens "#

    func tokens(_ what: String, _ query: PostgresQuery) async throws -> [APIToken] {
        let logger = self.logger
        return try await call(what) { client in
            var tokens: [APIToken] = []
            let rows = try await client.query(query, logger: logger)
            for try await (id, user, groups, source, name, hash, created, expires, revoked, used)
                in rows.decode((Int64, String, String, String, String, String, Date, Date, Date?, Date?).self) {
                guard let source = User.Source(rawValue: source) else { throw ServerError("API token \(id) has a source Switchboard does not know: \(source)") }
                tokens.append(APIToken(id: id, user: user, groups: groups, source: source, name: name, hash: hash, createdAt: created, expiresAt: expires,
                                       revokedAt: revoked, lastUsedAt: used))
            }
            return tokens
        }
    }

    public func insertToken(_ token: APIToken) async throws -> APIToken {
        let logger = self.logger
        let id = try await call("store an API token") { client in
            let rows = try await client.query("""
                INSERT INTO api_tokens ("user", groups, source, name, hash, created_at, expires_at) VALUES
                (\(token.user), \(token.groups), \(token.source.rawValue), \(token.name), \(token.hash), \(token.createdAt), \(token.expiresAt)) RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw ServerError("no id came back")
        }
        var stored = token
        stored.id = id
        return stored
    }

    public func token(hash: String) async throws -> APIToken? {
        var query = Self.tokenColumns
        query.sql += "WHERE hash = $1"
        try query.binds.append(hash, context: .default)
        return try await tokens("read an API token", query).first
    }

    public func token(id: Int64, user: String) async throws -> APIToken? {
        var query = Self.tokenColumns
        query.sql += #"WHERE id = $1 AND "user" = $2"#
        try query.binds.append(id, context: .default)
        try query.binds.append(user, context: .default)
        return try await tokens("read an API token", query).first
    }

    public func updateToken(_ token: APIToken) async throws {
        let logger = self.logger
        try await call("update an API token") { client in
            try await client.query("UPDATE api_tokens SET revoked_at = \(token.revokedAt), last_used_at = \(token.lastUsedAt) WHERE id = \(token.id ?? -1)", logger: logger)
            return ()
        }
    }

    public func tokens(user: String) async throws -> [APIToken] {
        var query = Self.tokenColumns
        query.sql += #"WHERE "user" = $1 ORDER BY id DESC"#
        try query.binds.append(user, context: .default)
        return try await tokens("list API tokens", query)
    }

    // MARK: GitOps

    public func gitopsClusters() async throws -> [GitOpsLedger.Row] {
        let logger = self.logger
        return try await call("read the GitOps state") { client in
            var result: [GitOpsLedger.Row] = []
            let rows = try await client.query("SELECT cluster, applied_hash, applied_at, matched_hash FROM gitops_clusters", logger: logger)
            for try await (cluster, applied, at, matched) in rows.decode((String, String?, Date?, String?).self) {
                result.append(GitOpsLedger.Row(cluster: cluster, appliedHash: applied, appliedAt: at, matchedHash: matched))
            }
            return result
        }
    }

    public func saveGitopsCluster(_ row: GitOpsLedger.Row) async throws {
        let logger = self.logger
        try await call("record the GitOps state") { client in
            try await client.query("""
                INSERT INTO gitops_clusters (cluster, applied_hash, applied_at, matched_hash) VALUES (\(row.cluster), \(row.appliedHash), \(row.appliedAt), \(row.matchedHash))
                ON CONFLICT (cluster) DO UPDATE SET applied_hash = excluded.applied_hash, applied_at = excluded.applied_at, matched_hash = excluded.matched_hash
                """, logger: logger)
            return ()
        }
    }

    public func servedCommit() async throws -> String? {
        let logger = self.logger
        return try await call("read the commit served") { client in
            for try await hash in try await client.query("SELECT hash FROM gitops_served WHERE id = 1", logger: logger).decode(String.self) { return hash }
            return nil
        }
    }

    public func serveCommit(_ hash: String) async throws {
        let logger = self.logger
        try await call("record the commit served") { client in
            try await client.query("INSERT INTO gitops_served (id, hash) VALUES (1, \(hash)) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash", logger: logger)
            return ()
        }
    }

    public func saveGitopsStatus(_ status: GitOpsStatus) async throws {
        let json = String(decoding: try JSONEncoder.storage.encode(status), as: UTF8.self)
        let logger = self.logger
        try await call("record the GitOps status") { client in
            try await client.query("INSERT INTO gitops_status (id, json) VALUES (1, \(json)) ON CONFLICT (id) DO UPDATE SET json = excluded.json", logger: logger)
            return ()
        }
    }

    public func gitopsStatus() async throws -> GitOpsStatus? {
        let logger = self.logger
        let json: String? = try await call("read the GitOps status") { client in
            for try await json in try await client.query("SELECT json FROM gitops_status WHERE id = 1", logger: logger).decode(String.self) { return json }
            return nil
        }
        return try json.map { try JSONDecoder.storage.decode(GitOpsStatus.self, from: Data($0.utf8)) }
    }

    public func requestSync(cluster: String?, by user: String) async throws {
        let logger = self.logger
        try await call("record a sync request") { client in
            try await client.query("INSERT INTO gitops_requests (cluster, \"user\") VALUES (\(cluster ?? ""), \(user))", logger: logger)
            return ()
        }
    }

    public func takeSyncRequests() async throws -> [(cluster: String?, user: String)] {
        let logger = self.logger
        return try await call("take the sync requests") { client in
            var result: [(cluster: String?, user: String)] = []
            let rows = try await client.query("DELETE FROM gitops_requests RETURNING cluster, \"user\"", logger: logger)
            for try await (cluster, user) in rows.decode((String, String).self) { result.append((cluster.isEmpty ? nil : cluster, user)) }
            return result
        }
    }

    // MARK: sessions

    func insertSession(_ session: Session, perUserLimit: Int) async throws {
        let logger = self.logger
        try await call("start a session") { client in
            try await client.query("""
                DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE "user" = \(session.user) ORDER BY last_seen DESC OFFSET \(max(0, perUserLimit - 1)))
                """, logger: logger)
            try await client.query("""
                INSERT INTO sessions (id, "user", source, created, last_seen) VALUES (\(session.id), \(session.user), \(session.source.rawValue), \(session.created), \(session.lastSeen))
                """, logger: logger)
            return ()
        }
    }

    func session(id: String) async throws -> Session? {
        let logger = self.logger
        return try await call("read a session") { client in
            let rows = try await client.query("SELECT id, \"user\", source, created, last_seen FROM sessions WHERE id = \(id)", logger: logger)
            for try await (id, user, source, created, seen) in rows.decode((String, String, String, Date, Date).self) {
                guard let source = User.Source(rawValue: source) else { return nil }
                return Session(id: id, user: user, source: source, created: created, lastSeen: seen)
            }
            return nil
        }
    }

    func touchSession(id: String, at date: Date) async throws {
        let logger = self.logger
        try await call("note a session's use") { client in
            try await client.query("UPDATE sessions SET last_seen = \(date) WHERE id = \(id)", logger: logger)
            return ()
        }
    }

    func deleteSessions(id: String?, endedBefore created: Date, idleSince seen: Date) async throws {
        let logger = self.logger
        try await call("end sessions") { client in
            if let id {
                try await client.query("DELETE FROM sessions WHERE id = \(id)", logger: logger)
            }
            try await client.query("DELETE FROM sessions WHERE created < \(created) OR last_seen < \(seen)", logger: logger)
            return ()
        }
    }
}
