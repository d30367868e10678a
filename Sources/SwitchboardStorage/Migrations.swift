import Foundation

/// One step of the storage schema, written once for each backend. Steps are never edited once
/// released: a change is a new step at the end.
public struct Migration: Sendable, Equatable {
    /// The step's name, recorded in the database when it is applied.
    public var name: String
    public var sqlite: [String]
    public var postgres: [String]
}

/// The schema of the server's storage: one ordered list of steps that both backends run at
/// start, under a lock (PostgreSQL's advisory lock; SQLite's write transaction), each recorded
/// in the table `switchboard_migrations` (position, name, time). A database whose record is
/// not a prefix of this list is refused: one upgraded by a newer Switchboard (a rolling update
/// must never let an old replica write to a newer schema), or one that is not Switchboard's.
public enum StorageSchema {
    /// Where each backend records the steps applied.
    public static let recordTable = "switchboard_migrations"

    public static let migrations: [Migration] = [
        Migration(
            name: "create audit",
            sqlite: [
                #"CREATE TABLE "audit" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "at" DATETIME NOT NULL, "user" TEXT NOT NULL, "action" TEXT NOT NULL, "cluster" TEXT NOT NULL, "connector" TEXT NOT NULL, "task" INTEGER, "outcome" TEXT NOT NULL, "detail" TEXT)"#,
                #"CREATE INDEX "audit_on_at" ON "audit"("at")"#,
                #"CREATE INDEX "audit_on_connector" ON "audit"("cluster", "connector")"#,
            ],
            // Servers before versioned storage created PostgreSQL's tables unrecorded, with
            // IF NOT EXISTS: the first steps keep that form, so such a database upgrades in place.
            postgres: [
                #"CREATE TABLE IF NOT EXISTS audit (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, "user" TEXT NOT NULL, action TEXT NOT NULL, cluster TEXT NOT NULL, connector TEXT NOT NULL, task INTEGER, outcome TEXT NOT NULL, detail TEXT)"#,
                "CREATE INDEX IF NOT EXISTS audit_on_connector ON audit (cluster, connector)",
            ]),
        Migration(
            name: "offsets before and after",
            sqlite: [
                #"ALTER TABLE "audit" ADD COLUMN "offsetsBefore" TEXT"#,
                #"ALTER TABLE "audit" ADD COLUMN "offsetsAfter" TEXT"#,
            ],
            postgres: [
                "ALTER TABLE audit ADD COLUMN IF NOT EXISTS offsets_before TEXT",
                "ALTER TABLE audit ADD COLUMN IF NOT EXISTS offsets_after TEXT",
            ]),
        Migration(
            name: "api tokens",
            sqlite: [
                #"CREATE TABLE "api_tokens" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "user" TEXT NOT NULL, "groups" TEXT NOT NULL, "source" TEXT NOT NULL, "name" TEXT NOT NULL, "hash" TEXT NOT NULL UNIQUE, "createdAt" DATETIME NOT NULL, "expiresAt" DATETIME NOT NULL, "revokedAt" DATETIME, "lastUsedAt" DATETIME)"#,
                #"CREATE INDEX "api_tokens_on_user" ON "api_tokens"("user")"#,
            ],
            postgres: [
                #"CREATE TABLE IF NOT EXISTS api_tokens (id BIGSERIAL PRIMARY KEY, "user" TEXT NOT NULL, groups TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ)"#,
                #"CREATE INDEX IF NOT EXISTS api_tokens_on_user ON api_tokens ("user")"#,
            ]),
        Migration(
            name: "gitops clusters",
            sqlite: [
                #"CREATE TABLE "gitops_clusters" ("cluster" TEXT PRIMARY KEY NOT NULL, "appliedHash" TEXT, "appliedAt" DATETIME, "matchedHash" TEXT)"#,
                #"CREATE TABLE "gitops_served" ("id" INTEGER PRIMARY KEY, "hash" TEXT NOT NULL)"#,
            ],
            postgres: [
                "CREATE TABLE IF NOT EXISTS gitops_clusters (cluster TEXT PRIMARY KEY, applied_hash TEXT, applied_at TIMESTAMPTZ, matched_hash TEXT)",
                "CREATE TABLE IF NOT EXISTS gitops_served (id INTEGER PRIMARY KEY, hash TEXT NOT NULL)",
            ]),
        Migration(
            name: "gitops requests",
            sqlite: [
                #"CREATE TABLE "gitops_requests" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "cluster" TEXT NOT NULL, "user" TEXT NOT NULL)"#,
                #"CREATE TABLE "gitops_status" ("id" INTEGER PRIMARY KEY, "json" TEXT NOT NULL)"#,
            ],
            postgres: [
                #"CREATE TABLE IF NOT EXISTS gitops_requests (id BIGSERIAL PRIMARY KEY, cluster TEXT NOT NULL, "user" TEXT NOT NULL)"#,
                "CREATE TABLE IF NOT EXISTS gitops_status (id INTEGER PRIMARY KEY, json TEXT NOT NULL)",
            ]),
        Migration(
            name: "sessions",
            // One replica on SQLite keeps sessions in memory; the table keeps the two schemas one.
            sqlite: [
                #"CREATE TABLE "sessions" ("id" TEXT PRIMARY KEY NOT NULL, "user" TEXT NOT NULL, "source" TEXT NOT NULL, "created" DATETIME NOT NULL, "lastSeen" DATETIME NOT NULL)"#,
                #"CREATE INDEX "sessions_on_user" ON "sessions"("user")"#,
            ],
            postgres: [
                #"CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, "user" TEXT NOT NULL, source TEXT NOT NULL, created TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL)"#,
                #"CREATE INDEX IF NOT EXISTS sessions_on_user ON sessions ("user")"#,
            ]),
        Migration(
            name: "log level changes",
            sqlite: [
                #"CREATE TABLE "log_levels" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "cluster" TEXT NOT NULL, "logger" TEXT NOT NULL, "level" TEXT NOT NULL, "previous" TEXT NOT NULL, "user" TEXT NOT NULL, "at" DATETIME NOT NULL, "revertAt" DATETIME NOT NULL, "revertedAt" DATETIME)"#,
                #"CREATE INDEX "log_levels_open" ON "log_levels"("revertedAt")"#,
            ],
            postgres: [
                #"CREATE TABLE log_levels (id BIGSERIAL PRIMARY KEY, cluster TEXT NOT NULL, logger TEXT NOT NULL, level TEXT NOT NULL, previous TEXT NOT NULL, "user" TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, revert_at TIMESTAMPTZ NOT NULL, reverted_at TIMESTAMPTZ)"#,
                "CREATE INDEX log_levels_open ON log_levels (reverted_at)",
            ]),
        Migration(
            name: "controller state",
            // JSON documents by key ("auto-restart/<cluster>/<connector>", "gitops-sync/<cluster>"):
            // what a controller must not forget across restarts and takeovers.
            sqlite: [
                #"CREATE TABLE "controller_state" ("key" TEXT PRIMARY KEY NOT NULL, "json" TEXT NOT NULL, "updatedAt" DATETIME NOT NULL)"#,
            ],
            postgres: [
                "CREATE TABLE controller_state (key TEXT PRIMARY KEY, json TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
            ]),
        Migration(
            name: "audit by team",
            // The queries the pages make, each an index walk from the newest row: a team's rows
            // (team page), a connector's (connector page), and by time (retention). SQLite's
            // (cluster, connector) index already holds the rowid in order.
            sqlite: [
                #"ALTER TABLE "audit" ADD COLUMN "team" TEXT"#,
                #"CREATE INDEX "audit_on_team" ON "audit"("team", "id")"#,
            ],
            postgres: [
                "ALTER TABLE audit ADD COLUMN team TEXT",
                "CREATE INDEX audit_on_team ON audit (team, id)",
                "CREATE INDEX audit_on_connector_newest ON audit (cluster, connector, id)",
                "DROP INDEX audit_on_connector",
                "CREATE INDEX audit_on_at ON audit (at)",
            ]),
    ]

    /// The steps still to apply to a database that recorded `applied` (names in order), with
    /// their positions (1-based), or why the database must not be used. `database` names it in
    /// the error.
    public static func pending(applied: [String], known: [Migration] = migrations, database: String) throws(StorageError) -> [(position: Int, migration: Migration)] {
        for (index, name) in applied.enumerated() {
            guard index < known.count else {
                throw StorageError("""
                    \(database) has a newer schema than this Switchboard knows: its step \(index + 1) is "\(name)", and this version knows \(known.count) \
                    step(s), up to "\(known.last?.name ?? "-")". A newer Switchboard upgraded it; run that version (or newer) on every replica. \
                    An older replica must never write to a newer schema, so this one does not start.
                    """)
            }
            guard known[index].name == name else {
                throw StorageError("""
                    \(database) has schema step \(index + 1) "\(name)" where this Switchboard expects "\(known[index].name)": the database was \
                    written by another program or another line of Switchboard. Nothing was changed; point --database or --audit-db at Switchboard's own database.
                    """)
            }
        }
        return known.enumerated().dropFirst(applied.count).map { ($0.offset + 1, $0.element) }
    }
}

/// A problem with the server's storage, with a message a person can act on.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
