import Foundation
import GRDB
import SwitchboardAPI
@testable import SwitchboardStorage
import Testing

/// Versioned storage on SQLite: one list of steps, recorded in the file; a file of an older
/// server is upgraded in place, a newer or foreign one is refused and left as it was.
@Suite struct SQLiteMigrationTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString).sqlite").path
    }

    /// The schema and the migration record of a server before versioned storage, as its GRDB
    /// migrator wrote them (read off a file it made), with one audit row and one token.
    static let legacy = [
        "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)",
        #"CREATE TABLE "audit" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "at" DATETIME NOT NULL, "user" TEXT NOT NULL, "action" TEXT NOT NULL, "cluster" TEXT NOT NULL, "connector" TEXT NOT NULL, "task" INTEGER, "outcome" TEXT NOT NULL, "detail" TEXT, "offsetsBefore" TEXT, "offsetsAfter" TEXT)"#,
        #"CREATE INDEX "audit_on_at" ON "audit"("at")"#,
        #"CREATE INDEX "audit_on_connector" ON "audit"("cluster", "connector")"#,
        #"CREATE TABLE "api_tokens" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "user" TEXT NOT NULL, "groups" TEXT NOT NULL, "source" TEXT NOT NULL, "name" TEXT NOT NULL, "hash" TEXT NOT NULL UNIQUE, "createdAt" DATETIME NOT NULL, "expiresAt" DATETIME NOT NULL, "revokedAt" DATETIME, "lastUsedAt" DATETIME)"#,
        #"CREATE INDEX "api_tokens_on_user" ON "api_tokens"("user")"#,
        #"CREATE TABLE "gitops_clusters" ("cluster" TEXT PRIMARY KEY NOT NULL, "appliedHash" TEXT, "appliedAt" DATETIME, "matchedHash" TEXT)"#,
        #"CREATE TABLE "gitops_served" ("id" INTEGER PRIMARY KEY, "hash" TEXT NOT NULL)"#,
        #"CREATE TABLE "gitops_requests" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "cluster" TEXT NOT NULL, "user" TEXT NOT NULL)"#,
        #"CREATE TABLE "gitops_status" ("id" INTEGER PRIMARY KEY, "json" TEXT NOT NULL)"#,
        "INSERT INTO grdb_migrations VALUES ('create audit'), ('offsets before and after'), ('api tokens'), ('gitops clusters'), ('gitops requests')",
        #"INSERT INTO audit (at, user, action, cluster, connector, outcome, detail) VALUES ('2026-11-30 10:00:00.000', 'alice', 'pause', 'ingest', 'payments_orders', 'succeeded', 'kept')"#,
        #"INSERT INTO api_tokens (user, groups, source, name, hash, createdAt, expiresAt) VALUES ('alice', '', 'local', 'laptop', 'abc', '2026-11-30 10:00:00.000', '2027-11-30 10:00:00.000')"#,
    ]

    static func write(_ statements: [String], to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in for statement in statements { try db.execute(sql: statement) } }
    }

    static func recorded(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT name FROM switchboard_migrations ORDER BY position") }
    }

    @Test func aNewFileGetsEveryStepRecordedInOrder() throws {
        let path = Self.path()
        _ = try SQLiteStorage(path: path)
        #expect(try Self.recorded(path) == StorageSchema.migrations.map(\.name))
        _ = try SQLiteStorage(path: path)
        #expect(try Self.recorded(path) == StorageSchema.migrations.map(\.name), "a second start applies nothing twice")
    }

    @Test func aFileOfAServerBeforeVersionedStorageIsUpgradedWithItsRows() async throws {
        let path = Self.path()
        try Self.write(Self.legacy, to: path)
        let storage = try SQLiteStorage(path: path)
        #expect(try Self.recorded(path) == StorageSchema.migrations.map(\.name), "its five steps taken over, the rest applied")
        let entries = try await storage.auditEntries(limit: 10, cluster: nil, connector: nil)
        #expect(entries.map(\.detail) == ["kept"])
        #expect(try await storage.tokens(user: "alice").map(\.name) == ["laptop"])
        let sessions = try await DatabaseQueue(path: path).read { db in try db.tableExists("sessions") }
        #expect(sessions, "the step the old server lacked was applied")
    }

    @Test func aFileUpgradedByANewerServerIsRefusedAndLeftAsItWas() throws {
        let path = Self.path()
        _ = try SQLiteStorage(path: path)
        try Self.write(["INSERT INTO switchboard_migrations (position, name, appliedAt) VALUES (\(StorageSchema.migrations.count + 1), 'audit team column', '2027-01-01T00:00:00Z')"], to: path)
        #expect {
            _ = try SQLiteStorage(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("newer schema") && text.contains("audit team column") && text.contains(path) && text.contains("does not start")
        }
        #expect(try Self.recorded(path).last == "audit team column", "nothing was changed")
    }

    @Test func aFileWithAnotherLineOfStepsIsRefused() throws {
        let path = Self.path()
        try Self.write(["CREATE TABLE switchboard_migrations (position INTEGER PRIMARY KEY, name TEXT NOT NULL, appliedAt TEXT NOT NULL)",
                        "INSERT INTO switchboard_migrations VALUES (1, 'create audit', 'x'), (2, 'something else', 'x')"], to: path)
        #expect {
            _ = try SQLiteStorage(path: path)
        } throws: { error in
            "\(error)".contains(#"step 2 "something else" where this Switchboard expects "offsets before and after""#)
        }
        let tables = try DatabaseQueue(path: path).read { db in try db.tableExists("api_tokens") }
        #expect(!tables, "no step was applied")
    }
}

/// The one decision both backends make.
@Suite struct StorageSchemaTests {
    let steps = [Migration(name: "a", sqlite: [], postgres: []), Migration(name: "b", sqlite: [], postgres: []), Migration(name: "c", sqlite: [], postgres: [])]

    @Test func whatIsPendingFollowsWhatIsRecorded() throws {
        #expect(try StorageSchema.pending(applied: [], known: steps, database: "db").map(\.position) == [1, 2, 3])
        #expect(try StorageSchema.pending(applied: ["a", "b"], known: steps, database: "db").map(\.migration.name) == ["c"])
        #expect(try StorageSchema.pending(applied: ["a", "b", "c"], known: steps, database: "db").isEmpty)
    }

    @Test(arguments: [["a", "b", "c", "d"], ["a", "x"], ["b"]])
    func anythingButAPrefixIsRefused(applied: [String]) {
        #expect(throws: StorageError.self) { try StorageSchema.pending(applied: applied, known: steps, database: "db") }
    }

    @Test func stepNamesAreUniqueAndEveryStepWritesBothBackends() {
        let names = StorageSchema.migrations.map(\.name)
        #expect(Set(names).count == names.count)
        for step in StorageSchema.migrations {
            #expect(!step.sqlite.isEmpty && !step.postgres.isEmpty, "\(step.name)")
        }
    }
}
