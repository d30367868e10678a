import ArgumentParser
import Foundation
import Logging
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardStorage

/// The audit log at a million rows: the queries the pages make, a write, and retention, through
/// Switchboard's own storage code on SQLite or PostgreSQL, first at a baseline size then at the
/// full size, in one run. bench/audit.sh runs it on both backends.
struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Measure the audit log's queries, writes and retention at --baseline rows, then at --rows rows (JSON on standard output).",
        discussion: """
            Rows are spread over --teams teams and --connectors connectors on 10 clusters, one a
            minute back from now (a million rows reach about two years back). Each query runs
            --repeats times on random teams and connectors; p50 and p99 in milliseconds.
            Retention deletes the oldest tenth through the same code as serve --audit-retention.

            Examples:
              connect-fleet audit --sqlite /tmp/audit-bench.sqlite
              connect-fleet audit --database postgres://postgres@127.0.0.1:35432/audit_bench?sslmode=disable
            """
    )

    @Option(help: ArgumentHelp("A SQLite file to create (must not exist).", valueName: "file")) var sqlite: String?
    @Option(help: ArgumentHelp("An empty PostgreSQL database.", valueName: "url")) var database: String?
    @Option(help: "Rows at the full size.") var rows = 1_000_000
    @Option(help: "Rows at the baseline size, measured first.") var baseline = 10_000
    @Option(help: "Teams the rows belong to.") var teams = 300
    @Option(help: "Connectors the rows are about.") var connectors = 20_000
    @Option(help: "Runs of each query per size.") var repeats = 200

    func validate() throws {
        guard (sqlite == nil) != (database == nil) else { throw ValidationError("give --sqlite FILE or --database URL.") }
        if let sqlite, FileManager.default.fileExists(atPath: sqlite) { throw ValidationError("--sqlite \(sqlite) exists; give a new file.") }
        guard baseline >= 1000, rows > baseline else { throw ValidationError("--rows must be above --baseline, which must be at least 1000.") }
        guard teams >= 1, connectors >= teams, repeats >= 10 else { throw ValidationError("--connectors must be at least --teams; --repeats at least 10.") }
    }

    func run() async throws {
        var logger = Logger(label: "audit-bench")
        logger.logLevel = .warning
        let storage: any ServerStorage
        if let sqlite {
            storage = try SQLiteStorage(path: sqlite)
        } else {
            storage = try await PostgresStorage(try PostgresStorage.Location(database ?? ""), timeout: .seconds(120), competing: false, logger: logger)
        }
        let now = Date()
        var written = 0
        var insertSeconds = 0.0
        func fill(to count: Int) async throws {
            // Oldest first, as a log grows: row k (of the full size) is k minutes before now.
            while written < count {
                let chunk = (written..<min(written + 10_000, count)).map(entry)
                let start = ContinuousClock.now
                try await storage.insertAudit(batch: chunk)
                insertSeconds += (ContinuousClock.now - start).seconds
                written += chunk.count
                FileHandle.standardError.write(Data("\rwritten \(written) of \(count)".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        func entry(_ index: Int) -> AuditEntry {
            let connector = index % connectors, team = connector % teams
            return AuditEntry(at: now.addingTimeInterval(-60 * Double(rows - index)), user: "user-\(index % 97)", action: ["restart", "pause", "resume", "gitops-update"][index % 4],
                              cluster: String(format: "fleet-%02d", connector % 10 + 1), connector: String(format: "team-%03d_c%05d", team + 1, connector),
                              outcome: index % 50 == 0 ? .failed : .succeeded, detail: index % 50 == 0 ? "Connect answered 409: rebalance in progress" : nil,
                              team: String(format: "team-%03d", team + 1))
        }

        var sizes: [String: Any] = [:]
        for size in [baseline, rows] {
            try await fill(to: size)
            var figures: [String: Any] = [:]
            figures["newest 100 (audit page)"] = try await time { _ in _ = try await storage.auditEntries(limit: 100, cluster: nil, connector: nil, team: nil) }
            figures["a connector's newest 20 (connector page)"] = try await time { run in
                let connector = (run * 7919) % connectors
                _ = try await storage.auditEntries(limit: 20, cluster: String(format: "fleet-%02d", connector % 10 + 1),
                                                   connector: String(format: "team-%03d_c%05d", connector % teams + 1, connector), team: nil)
            }
            figures["a team's newest 15 (team page)"] = try await time { run in
                _ = try await storage.auditEntries(limit: 15, cluster: nil, connector: nil, team: String(format: "team-%03d", (run * 31) % teams + 1))
            }
            figures["record one entry"] = try await time { run in
                _ = try await storage.insertAudit(AuditEntry(user: "bench", action: "restart", cluster: "fleet-01", connector: "team-001_c00000", outcome: .succeeded, team: "team-001"))
            }
            sizes[String(size)] = figures
        }

        // Retention: the oldest tenth of the rows, through the keeper serve runs.
        let cutoffAge = 60 * Double(rows) * 0.9
        let audit = AuditLog(storage: storage)
        let keeper = AuditKeeper(store: nil, audit: audit, retention: nil, logger: logger)
        let start = ContinuousClock.now
        let deleted = await keeper.deleteOlder(than: .seconds(Int(cutoffAge)), now: now)
        let retentionSeconds = (ContinuousClock.now - start).seconds
        let after = try await time { _ in _ = try await storage.auditEntries(limit: 100, cluster: nil, connector: nil, team: nil) }

        let result: [String: Any] = [
            "backend": sqlite != nil ? "sqlite" : "postgresql",
            "rows": rows, "baseline": baseline, "teams": teams, "connectors": connectors, "repeats": repeats,
            "insert_rows_per_second": Int(Double(written) / max(insertSeconds, 0.001)),
            "sizes": sizes,
            "retention": ["deleted": deleted, "seconds": round(retentionSeconds * 100) / 100, "batch": AuditKeeper.batch,
                          "newest 100 after": after],
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// p50 and p99 in milliseconds over `repeats` runs.
    func time(_ body: (Int) async throws -> Void) async throws -> [String: Double] {
        var samples: [Double] = []
        for run in 0..<repeats {
            let start = ContinuousClock.now
            try await body(run)
            samples.append((ContinuousClock.now - start).seconds * 1000)
        }
        samples.sort()
        let at = { (q: Double) in round(samples[min(samples.count - 1, Int(Double(samples.count) * q))] * 1000) / 1000 }
        return ["p50_ms": at(0.5), "p99_ms": at(0.99)]
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
