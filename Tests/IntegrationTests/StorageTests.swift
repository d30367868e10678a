import Foundation
import Logging
import StackTesting
import SwitchboardAPI
import Reconciler
import SwitchboardSnapshot
import SwitchboardCore
import SwitchboardControllers
import SwitchboardServer
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import Testing

/// The two storages behave alike: SQLite (one replica) and the stack's PostgreSQL (replicas),
/// each with a database of its own; and PostgreSQL's lease passes to another replica when its
/// holder goes.
@Suite("Server storage", .tags(.realStack))
struct StorageTests {
    enum Kind: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }
    }

    /// A fresh, empty database on the test stack's PostgreSQL.
    static func postgresLocation() async throws -> PostgresStorage.Location {
        let stack = try await TestStack.shared.up()
        let postgres = try #require(stack.postgres)
        let name = "sb_\(UInt32.random(in: 0...UInt32.max))"
        try await postgres.execute("CREATE DATABASE \(name);")
        return try PostgresStorage.Location("postgres://postgres@127.0.0.1:\(postgres.port)/\(name)?sslmode=disable")
    }

    static func storage(_ kind: Kind) async throws -> any ServerStorage {
        switch kind {
        case .sqlite:
            return try SQLiteStorage(path: FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString).sqlite").path)
        case .postgres:
            return try await PostgresStorage(try await postgresLocation(), leasePeriod: .seconds(1), logger: Logger(label: "storage-test"))
        }
    }

    /// What a server before versioned storage made on PostgreSQL: its tables created with IF
    /// NOT EXISTS at every start, nothing recorded (the statements of that server).
    static let unversioned = [
        #"CREATE TABLE IF NOT EXISTS audit (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, "user" TEXT NOT NULL, action TEXT NOT NULL, cluster TEXT NOT NULL, connector TEXT NOT NULL, task INTEGER, outcome TEXT NOT NULL, detail TEXT, offsets_before TEXT, offsets_after TEXT)"#,
        "CREATE INDEX IF NOT EXISTS audit_on_connector ON audit (cluster, connector)",
        #"CREATE TABLE IF NOT EXISTS api_tokens (id BIGSERIAL PRIMARY KEY, "user" TEXT NOT NULL, groups TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ)"#,
        #"CREATE INDEX IF NOT EXISTS api_tokens_on_user ON api_tokens ("user")"#,
        #"CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, "user" TEXT NOT NULL, source TEXT NOT NULL, created TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL)"#,
        #"CREATE INDEX IF NOT EXISTS sessions_on_user ON sessions ("user")"#,
        "CREATE TABLE IF NOT EXISTS gitops_clusters (cluster TEXT PRIMARY KEY, applied_hash TEXT, applied_at TIMESTAMPTZ, matched_hash TEXT)",
        "CREATE TABLE IF NOT EXISTS gitops_served (id INTEGER PRIMARY KEY, hash TEXT NOT NULL)",
        #"CREATE TABLE IF NOT EXISTS gitops_requests (id BIGSERIAL PRIMARY KEY, cluster TEXT NOT NULL, "user" TEXT NOT NULL)"#,
        "CREATE TABLE IF NOT EXISTS gitops_status (id INTEGER PRIMARY KEY, json TEXT NOT NULL)",
        #"INSERT INTO audit (at, "user", action, cluster, connector, outcome, detail) VALUES ('2026-11-30 10:00:00+00', 'alice', 'pause', 'ingest', 'payments_orders', 'succeeded', 'kept')"#,
    ]

    @Test func postgresOfAServerBeforeVersionedStorageIsUpgradedAndANewerOneRefused() async throws {
        let location = try await Self.postgresLocation()
        let postgres = try #require(try await TestStack.shared.up().postgres)
        for statement in Self.unversioned { try await postgres.execute(statement, database: location.database) }
        let upgraded = try await PostgresStorage(location, competing: false, logger: Logger(label: "storage-test"))
        #expect(try await upgraded.appliedMigrations() == StorageSchema.migrations.map(\.name))
        #expect(try await upgraded.auditEntries(limit: 10, cluster: nil, connector: nil).map(\.detail) == ["kept"], "its rows are kept")
        let again = try await PostgresStorage(location, competing: false, logger: Logger(label: "storage-test"))
        #expect(try await again.appliedMigrations().count == StorageSchema.migrations.count, "a second start applies nothing twice")

        try await postgres.execute("INSERT INTO switchboard_migrations (position, name, applied_at) VALUES (\(StorageSchema.migrations.count + 1), 'audit team column', now())", database: location.database)
        await #expect {
            _ = try await PostgresStorage(location, competing: false, logger: Logger(label: "storage-test"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("newer schema") && text.contains("audit team column") && text.contains(location.description) && !text.contains("could not")
        }
        #expect(try await again.appliedMigrations().last == "audit team column", "nothing was changed")
    }

    @Test(arguments: Kind.allCases)
    func auditTokensGitOpsStateAndRequestsRoundTrip(kind: Kind) async throws {
        let storage = try await Self.storage(kind)
        let audit = AuditLog(storage: storage)
        let secret = "Planted-\(UInt32.random(in: 0...UInt32.max))-pw"
        let at = Date(timeIntervalSince1970: 1_796_000_000)
        let first = try await audit.record(AuditEntry(at: at, user: "alice", action: "pause", cluster: "beta", connector: "payments_orders", outcome: .succeeded, detail: "password=\(secret)"))
        try await audit.record(AuditEntry(at: at, user: "bob", action: "restart-task", cluster: "beta", connector: "payments_other", task: 2, outcome: .denied,
                                          offsetsBefore: #"{"a":1}"#, offsetsAfter: nil))
        #expect(first.id != nil)
        let all = try await audit.recent()
        #expect(all.map(\.user) == ["bob", "alice"], "newest first")
        #expect(all[0].task == 2 && all[0].offsetsBefore == #"{"a":1}"# && all[0].outcome == .denied)
        #expect(all[1].at == at)
        #expect(!(all[1].detail ?? "").contains(secret), "scrubbed before it is stored")
        #expect(try await audit.recent(cluster: "beta", connector: "payments_orders").map(\.user) == ["alice"])

        let (token, record) = try await APITokens(storage: storage, localUsers: nil).create(for: User(name: "alice", groups: ["payments-eng"], source: .proxy), name: "laptop", days: 1)
        #expect(try await storage.token(hash: record.hash)?.id == record.id)
        #expect(try await storage.tokens(user: "alice").count == 1)
        let id = try #require(record.id)
        var revoked = try #require(try await storage.token(id: id, user: "alice"))
        #expect(try await storage.token(id: id, user: "carol") == nil)
        revoked.revokedAt = at
        try await storage.updateToken(revoked)
        #expect(try await storage.token(hash: record.hash)?.revokedAt == at)
        #expect(!token.isEmpty)

        try await storage.saveGitopsCluster(.init(cluster: "beta", appliedHash: "abc", appliedAt: at, matchedHash: nil))
        try await storage.saveGitopsCluster(.init(cluster: "beta", appliedHash: "def", appliedAt: at, matchedHash: "def"))
        #expect(try await storage.gitopsClusters() == [.init(cluster: "beta", appliedHash: "def", appliedAt: at, matchedHash: "def")])
        #expect(try await storage.servedCommit() == nil)
        try await storage.serveCommit("abc")
        try await storage.serveCommit("def")
        #expect(try await storage.servedCommit() == "def")
        try await storage.requestSync(cluster: nil, by: "webhook")
        try await storage.requestSync(cluster: "alpha", by: "pat")
        let requests = try await storage.takeSyncRequests()
        #expect(requests.map { "\($0.cluster ?? "*") \($0.user)" }.sorted() == ["* webhook", "alpha pat"])
        #expect(try await storage.takeSyncRequests().isEmpty, "each request is taken once")
        var status = GitOpsStatus(repository: "https://x:\(secret)@git.example.com/c.git", branch: "main", folder: nil)
        status.commitsBehind = 3
        try await storage.saveGitopsStatus(status)
        #expect(try await storage.gitopsStatus() == status)
        #expect(!(try await storage.gitopsStatus()?.repository ?? "").contains(secret))
    }

    @Test func sessionsAreSharedAndEndForEveryReplica() async throws {
        let location = try await Self.postgresLocation()
        let a = try await PostgresStorage(location, leasePeriod: .seconds(1), logger: Logger(label: "a"))
        let b = try await PostgresStorage(location, leasePeriod: .seconds(1), logger: Logger(label: "b"))
        let sessionsA = try #require(a.sharedSessions), sessionsB = try #require(b.sharedSessions)
        let session = try await sessionsA.start(user: "alice", source: .local, now: Date())
        #expect(try await sessionsB.find(id: session.id, now: Date())?.user == "alice", "a session started on one replica is known to the other")
        #expect(try await sessionsB.find(id: session.id, now: Date().addingTimeInterval(sessionsB.lifetime + 1)) == nil, "and expires there")
        let other = try await sessionsA.start(user: "alice", source: .local, now: Date())
        try await sessionsB.stop(id: other.id)
        #expect(try await sessionsA.find(id: other.id, now: Date()) == nil, "signing out on one replica ends it on both")
    }

    @Test func theLeaseHasOneHolderAndPassesOnWhenItGoes() async throws {
        let location = try await Self.postgresLocation()
        var first: PostgresStorage? = try await PostgresStorage(location, leasePeriod: .seconds(1), logger: Logger(label: "first"))
        try await eventually(timeout: .seconds(20), "the first replica to hold the lease") { first?.lease.isHeld == true ? true : nil }
        let second = try await PostgresStorage(location, leasePeriod: .seconds(1), logger: Logger(label: "second"))
        try await Task.sleep(for: .seconds(3))
        #expect(!second.lease.isHeld, "one holder at a time")
        first = nil
        let started = ContinuousClock.now
        try await eventually(timeout: .seconds(20), "the second replica to take the lease") { second.lease.isHeld ? true : nil }
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func aReleasedLeaseIsTakenAtTheOthersNextTry() async throws {
        let location = try await Self.postgresLocation()
        let first = try await PostgresStorage(location, leasePeriod: .seconds(1), logger: Logger(label: "first"))
        try await eventually(timeout: .seconds(20), "the first replica to hold the lease") { first.lease.isHeld ? true : nil }
        let second = try await PostgresStorage(location, leasePeriod: .seconds(1), logger: Logger(label: "second"))
        try await Task.sleep(for: .seconds(2))
        #expect(!second.lease.isHeld, "one holder at a time")
        // A replica that stops gives the lease up while its connection still lives.
        await first.lease.release()
        #expect(!first.lease.isHeld)
        let released = ContinuousClock.now
        try await eventually(timeout: .seconds(10), "the second replica to take the released lease") { second.lease.isHeld ? true : nil }
        #expect(ContinuousClock.now - released < .seconds(3), "within about one lease period")
        try await Task.sleep(for: .seconds(2))
        #expect(!first.lease.isHeld, "a released lease stays released")
    }

    /// The audit log at scale: each entry keeps its connector's team (one indexed query for a
    /// team page), rows from before the column get theirs, and retention deletes exactly the
    /// rows older than it, in batches, saying so in the log.
    @Test(arguments: Kind.allCases)
    func auditRowsHaveTeamsAndRetentionDeletesOnlyOldRows(_ kind: Kind) async throws {
        let storage = try await Self.storage(kind)
        let audit = AuditLog(storage: storage)
        audit.resolveTeams { _, connector in connector.hasPrefix("payments_") ? "payments" : nil }
        let now = Date()
        let old = now.addingTimeInterval(-100 * 86_400)
        // 25,000 old rows without a team (as written before the column), in one batch call.
        let history = (0..<25_000).map { index in
            AuditEntry(at: old.addingTimeInterval(Double(index)), user: "alice", action: "pause", cluster: "beta", connector: index % 2 == 0 ? "payments_orders" : "analytics_x", outcome: .succeeded)
        }
        try await storage.insertAudit(batch: history)
        try await audit.record(AuditEntry(at: now, user: "bob", action: "restart", cluster: "beta", connector: "payments_orders", outcome: .succeeded))
        try await audit.record(AuditEntry(at: now, user: "carol", action: "restart", cluster: "beta", connector: "analytics_x", outcome: .succeeded, team: "analytics"))
        try await audit.record(AuditEntry(at: now, user: "pat", action: "gitops-load", cluster: "-", connector: "-", outcome: .succeeded))

        #expect(try await audit.recent(limit: 10, team: "payments").map(\.user) == ["bob"], "only rows recorded with the team")
        #expect(try await audit.recent(limit: 10, team: "analytics").map(\.user) == ["carol"], "a team given by the caller is kept")
        let missing = try await storage.auditConnectorsWithoutTeam(limit: 10)
        #expect(Set(missing.map { "\($0.cluster)/\($0.connector)" }) == ["beta/payments_orders", "beta/analytics_x"], "platform rows (connector -) are not a connector's")
        #expect(try await storage.setAuditTeam("payments", cluster: "beta", connector: "payments_orders") == 12_500)
        #expect(try await audit.recent(limit: 3, team: "payments").map(\.user) == ["bob", "alice", "alice"], "newest first, old rows after")

        let catalog = try CatalogLoader.loadChecked(from: try CatalogFolder(["switchboard.yaml": "clusters:\n  - name: beta\n    url: http://127.0.0.1:1\n"]).root)
        let keeper = AuditKeeper(store: SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog)), audit: audit, retention: .seconds(30 * 86_400), logger: Logger(label: "storage-test"))
        #expect(await keeper.deleteOlder(than: .seconds(30 * 86_400), now: now) == 25_000)
        let left = try await audit.recent(limit: 100)
        #expect(left.map(\.user) == ["switchboard:audit", "pat", "carol", "bob"], "\(left.map(\.user))")
        #expect(left.first?.detail?.contains("deleted 25000 entries") == true)
        #expect(await keeper.deleteOlder(than: .seconds(30 * 86_400), now: now) == 0, "nothing more, and nothing recorded for nothing")
        #expect(try await audit.recent(limit: 100).count == 4)
    }

    @Test(arguments: Kind.allCases)
    func controllerStateIsKeptByKeyAndPrefix(_ kind: Kind) async throws {
        let storage = try await Self.storage(kind)
        // Names with LIKE's wildcards: a prefix is compared as text.
        try await storage.saveControllerState(["auto-restart/ingest/a_%x": #"{"restarts":1}"#, "auto-restart/ingest/b": #"{"restarts":2}"#,
                                               "gitops-sync/ingest": #"{"commit":"abc"}"#, "auto_restart/x": "{}"], deleting: [])
        #expect(try await storage.controllerState(prefix: "auto-restart/") == ["auto-restart/ingest/a_%x": #"{"restarts":1}"#, "auto-restart/ingest/b": #"{"restarts":2}"#])
        #expect(try await storage.controllerState(prefix: "auto-restart/ingest/a_%").keys.sorted() == ["auto-restart/ingest/a_%x"])
        try await storage.saveControllerState(["auto-restart/ingest/b": #"{"restarts":3}"#], deleting: ["auto-restart/ingest/a_%x", "no-such-key"])
        #expect(try await storage.controllerState(prefix: "auto-restart/") == ["auto-restart/ingest/b": #"{"restarts":3}"#])
        #expect(try await storage.controllerState(prefix: "gitops-sync/") == ["gitops-sync/ingest": #"{"commit":"abc"}"#])
    }

    @Test func aDatabaseThatIsNotThereSaysSoWithinTheDeadline() async throws {
        let port = try await FaultServer.refusedPort()
        let location = try PostgresStorage.Location("postgres://app:planted-db-pw@127.0.0.1:\(port)/x?sslmode=disable")
        #expect(!location.description.contains("planted-db-pw"))
        let started = ContinuousClock.now
        do {
            _ = try await PostgresStorage(location, timeout: .seconds(3), logger: Logger(label: "gone"))
            Issue.record("connected to nothing")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(port)") && !"\(error)".contains("planted-db-pw"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        let silent = try await FaultServer.start(.silent)
        do {
            _ = try await PostgresStorage(try PostgresStorage.Location("postgres://app@127.0.0.1:\(silent.port)/x?sslmode=disable"), timeout: .seconds(2), logger: Logger(label: "silent"))
            Issue.record("connected to a server that never answers")
        } catch {
            #expect("\(error)".contains("did not create its tables within"), "\(error)")
        }
        await silent.stop()
    }
}

