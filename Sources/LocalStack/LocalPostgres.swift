import Foundation

/// A PostgreSQL server for Debezium CDC, with `wal_level=logical`, managed with pg_ctl.
///
/// PostgreSQL refuses to run as root: when Switchboard runs as root, the server runs as the
/// `postgres` user (created by Debian's package) and its folder belongs to that user.
public struct LocalPostgres: Sendable {
    public let home: URL
    public let port: Int

    var dataDirectory: URL { home.appendingPathComponent("data") }
    var socketDirectory: URL { home.appendingPathComponent("socket") }
    public var logFile: URL { home.appendingPathComponent("postgres.log") }
    /// Superuser `postgres`, trust authentication on 127.0.0.1.
    public var connectionURL: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    /// The PostgreSQL folder of a stack home, when one was ever set up there.
    static func existing(under home: URL) -> LocalPostgres? {
        let directory = home.appendingPathComponent("postgres")
        // `try?`: no readable port file means PostgreSQL was never set up in this home.
        guard let text = try? String(contentsOf: directory.appendingPathComponent("port"), encoding: .utf8),
              let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return LocalPostgres(home: directory, port: port)
    }

    /// The postmaster's pid when it runs.
    public var runningPID: Int32? {
        // `try?`: PostgreSQL removes postmaster.pid when it stops; no file is "not running".
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
              let pid = Int32(text.split(separator: "\n").first ?? ""), kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    public var isRunning: Bool { runningPID != nil }

    /// The `postgres` user when running as root (PostgreSQL will not run as root), else nil.
    static func serverUser() throws -> String? {
        guard getuid() == 0 else { return nil }
        guard getpwnam("postgres") != nil else {
            throw StackError("PostgreSQL cannot run as root and there is no `postgres` user; install Debian's postgresql package or run as a normal user.")
        }
        return "postgres"
    }

    func run(_ bin: URL, _ tool: String, _ arguments: [String]) async throws -> Command.Result {
        try await Command.run(bin.appendingPathComponent(tool).path, arguments, currentDirectory: URL(fileURLWithPath: "/"), asUser: Self.serverUser())
    }

    /// Creates the cluster on first use and starts the server unless it runs.
    func start(bin: URL, progress: ProgressReporter) async throws {
        if let pid = runningPID {
            progress("PostgreSQL already runs (pid \(pid)) at \(connectionURL)")
            return
        }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        try String(port).write(to: home.appendingPathComponent("port"), atomically: true, encoding: .utf8)
        if let user = try Self.serverUser() {
            let chown = try await Command.run("/bin/chown", ["-R", "\(user):\(user)", home.path])
            guard chown.succeeded else { throw StackError("Could not give \(home.path) to the \(user) user: \(chown.output)") }
            let access = try await Command.run("/usr/bin/test", ["-w", home.path], asUser: user)
            guard access.succeeded else {
                throw StackError("PostgreSQL runs as the postgres user, which cannot reach \(home.path); keep the project in a folder every user can read (not under /root).")
            }
        }
        if !fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            progress("Creating a PostgreSQL cluster in \(dataDirectory.path)")
            let initdb = try await run(bin, "initdb", ["-D", dataDirectory.path, "-A", "trust", "-U", "postgres", "--no-sync"])
            guard initdb.succeeded else {
                throw StackError("initdb failed for \(dataDirectory.path):\n" + initdb.tail().joined(separator: "\n"))
            }
        }
        progress("Starting PostgreSQL at \(connectionURL) (wal_level=logical)")
        let options = "-p \(port) -c wal_level=logical -c listen_addresses=127.0.0.1 -c unix_socket_directories=\(socketDirectory.path) -c max_wal_senders=10 -c max_replication_slots=10 -c fsync=off"
        let started = try await run(bin, "pg_ctl", ["-D", dataDirectory.path, "-l", logFile.path, "-o", options, "-w", "-t", "60", "start"])
        guard started.succeeded else {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""  // the error stands without its log
            throw StackError("PostgreSQL did not start on port \(port).", logFile: logFile.path, logTail: log.split(separator: "\n").suffix(15).map(String.init))
        }
    }

    /// Stops the server (fast shutdown).
    func stop() async throws {
        guard isRunning, let bin = Prerequisites.findPostgres() else { return }
        let result = try await run(bin, "pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
        guard result.succeeded else {
            throw StackError("PostgreSQL did not stop: `pg_ctl stop` failed.", logFile: logFile.path, logTail: result.tail())
        }
    }

    /// Runs SQL with psql against the server (for examples and tests).
    public func execute(_ sql: String, database: String = "postgres") async throws {
        guard let bin = Prerequisites.findPostgres() else { throw StackError("PostgreSQL is not installed.") }
        let result = try await Command.run(bin.appendingPathComponent("psql").path, ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        guard result.succeeded else {
            throw StackError("psql failed: " + result.tail(5).joined(separator: "\n"))
        }
    }
}
