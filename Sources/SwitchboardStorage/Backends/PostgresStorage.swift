import Foundation
import Logging
import NIOSSL
import Outbound
import PostgresNIO
import SwitchboardAPI
import SwitchboardCore

/// The server's storage in PostgreSQL (PostgresNIO), shared by every replica: the audit log,
/// API tokens, sessions and the GitOps controller's state; a session-level advisory lock decides
/// which replica runs the controllers (``AdvisoryLease``).
///
/// Every call has a deadline (`timeout`), and its error says what was asked. The schema is
/// brought up to date at start (``StorageSchema``), under an advisory lock of its own.
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

        public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
            guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
                  let host = components.host, !host.isEmpty else {
                throw StorageError("--database must be a URL like postgres://user@host:5432/switchboard (got \(Scrubber.scrub(text)))")
            }
            self.host = host
            port = components.port ?? 5432
            user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? "postgres"
            password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
            database = String(components.path.drop { $0 == "/" })
            if database.isEmpty { database = user }
            sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
            guard ["disable", "prefer", "require"].contains(sslMode) else {
                throw StorageError("--database: sslmode must be disable, prefer or require (got \(sslMode))")
            }
        }

        /// Never the password.
        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
    }

    /// Connects (within `timeout`), brings the schema up to date (or refuses a newer one), and (with `competing`) starts
    /// competing for the controllers' lock every `leasePeriod`; a tool that only reads never holds it.
    public init(_ location: Location, timeout: Duration = .seconds(10), leasePeriod: Duration = .seconds(2), competing: Bool = true, logger: Logger) async throws {
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
            try await migrate()
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
        } catch let error as StorageError {
            throw error
        } catch let error as DeadlineExceeded {
            throw StorageError("PostgreSQL at \(address) did not \(what) within \(timeout): \(error)")
        } catch {
            throw StorageError("PostgreSQL at \(address) could not \(what): \(String(reflecting: error).prefix(500))")
        }
    }

    // MARK: audit

    public func insertAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        let logger = self.logger
        let id = try await call("record an audit entry") { client in
            let rows = try await client.query("""
                INSERT INTO audit (at, "user", action, cluster, connector, task, outcome, detail, offsets_before, offsets_after, team)
                VALUES (\(entry.at), \(entry.user), \(entry.action), \(entry.cluster), \(entry.connector), \(entry.task), \(entry.outcome.rawValue),
                        \(entry.detail), \(entry.offsetsBefore), \(entry.offsetsAfter), \(entry.team)) RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw StorageError("no id came back")
        }
        var stored = entry
        stored.id = id
        return stored
    }

    public func auditEntries(limit: Int, cluster: String?, connector: String?, team: String?) async throws -> [AuditEntry] {
        let logger = self.logger
        return try await call("read the audit log") { client in
            let columns = #"SELECT id, at, "user", action, cluster, connector, task, outcome, detail, offsets_before, offsets_after, team FROM audit "#
            let rows: PostgresRowSequence
            switch (cluster, connector, team) {
            case (let cluster?, let connector?, let team?):
                rows = try await client.query("\(unescaped: columns) WHERE cluster = \(cluster) AND connector = \(connector) AND team = \(team) ORDER BY id DESC LIMIT \(limit)", logger: logger)
            case (let cluster?, let connector?, nil):
                rows = try await client.query("\(unescaped: columns) WHERE cluster = \(cluster) AND connector = \(connector) ORDER BY id DESC LIMIT \(limit)", logger: logger)
            case (_, _, let team?):
                rows = try await client.query("\(unescaped: columns) WHERE team = \(team) ORDER BY id DESC LIMIT \(limit)", logger: logger)
            default:
                rows = try await client.query("\(unescaped: columns) ORDER BY id DESC LIMIT \(limit)", logger: logger)
            }
            var entries: [AuditEntry] = []
            for try await (id, at, user, action, cluster, connector, task, outcome, detail, before, after, team)
                in rows.decode((Int64, Date, String, String, String, String, Int?, String, String?, String?, String?, String?).self) {
                guard let outcome = AuditEntry.Outcome(rawValue: outcome) else { throw StorageError("audit entry \(id) has an outcome Switchboard does not know: \(outcome)") }
                var entry = AuditEntry(at: at, user: user, action: action, cluster: cluster, connector: connector, task: task, outcome: outcome, detail: detail,
                                       offsetsBefore: before, offsetsAfter: after, team: team)
                entry.id = id
                entries.append(entry)
            }
            return entries
        }
    }

    public func insertAudit(batch entries: [AuditEntry]) async throws {
        let logger = self.logger
        // 2,000 rows a statement (PostgreSQL takes 65,535 parameters, 11 a row), each statement
        // its own call with its own deadline: a large batch is not one wait.
        var start = entries.startIndex
        while start < entries.endIndex {
            let chunk = entries[start..<min(start + 2000, entries.endIndex)]
            try await call("record \(chunk.count) audit entries") { client in
                var bindings = PostgresBindings(capacity: chunk.count * 11)
                var values: [String] = []
                for (offset, entry) in chunk.enumerated() {
                    values.append("(" + (1...11).map { "$\(offset * 11 + $0)" }.joined(separator: ",") + ")")
                    bindings.append(entry.at)
                    bindings.append(entry.user)
                    bindings.append(entry.action)
                    bindings.append(entry.cluster)
                    bindings.append(entry.connector)
                    bindings.append(entry.task)
                    bindings.append(entry.outcome.rawValue)
                    bindings.append(entry.detail)
                    bindings.append(entry.offsetsBefore)
                    bindings.append(entry.offsetsAfter)
                    bindings.append(entry.team)
                }
                let sql = #"INSERT INTO audit (at, "user", action, cluster, connector, task, outcome, detail, offsets_before, offsets_after, team) VALUES "#
                    + values.joined(separator: ",")
                _ = try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            }
            start = chunk.endIndex
        }
    }

    public func deleteAudit(before date: Date, limit: Int) async throws -> Int {
        let logger = self.logger
        return try await call("delete old audit entries") { client in
            let rows = try await client.query("""
                WITH gone AS (DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < \(date) ORDER BY at LIMIT \(limit)) RETURNING 1)
                SELECT count(*)::BIGINT FROM gone
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    public func auditConnectorsWithoutTeam(limit: Int) async throws -> [(cluster: String, connector: String)] {
        let logger = self.logger
        return try await call("read the audit log") { client in
            let rows = try await client.query("SELECT DISTINCT cluster, connector FROM audit WHERE team IS NULL AND connector <> '-' LIMIT \(limit)", logger: logger)
            var found: [(cluster: String, connector: String)] = []
            for try await (cluster, connector) in rows.decode((String, String).self) { found.append((cluster, connector)) }
            return found
        }
    }

    public func setAuditTeam(_ team: String, cluster: String, connector: String) async throws -> Int {
        let logger = self.logger
        return try await call("fill in the audit log's teams") { client in
            let rows = try await client.query("""
                WITH set AS (UPDATE audit SET team = \(team) WHERE cluster = \(cluster) AND connector = \(connector) AND team IS NULL RETURNING 1)
                SELECT count(*)::BIGINT FROM set
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
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
                guard let source = User.Source(rawValue: source) else { throw StorageError("API token \(id) has a source Switchboard does not know: \(source)") }
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
            throw StorageError("no id came back")
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
}
