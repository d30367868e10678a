import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The controllers' lease: a PostgreSQL session-level advisory lock held on one connection of
/// the replica that runs them. A replica that dies drops its connection, and with it the lock;
/// the others try to take it every `period`.
final class AdvisoryLease: ControllerLease, @unchecked Sendable {
    let client: PostgresClient
    let key: Int64
    let period: Duration
    let logger: Logger
    private let held = NIOLockedValueBox(false)
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(client: PostgresClient, key: Int64, period: Duration, logger: Logger) {
        self.client = client
        self.key = key
        self.period = period
        self.logger = logger
    }

    var isHeld: Bool { held.withLockedValue { $0 } }

    func start() {
        task.withLockedValue { $0 = Task { await self.compete() } }
    }

    func stop() {
        task.withLockedValue { $0?.cancel() }
    }

    func compete() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    // The lock belongs to this connection's session: it must not go back to the
                    // pool still holding it, or nobody could take the lease again.
                    defer { held.withLockedValue { $0 = false } }
                    do {
                        try await hold(on: connection)
                    } catch {
                        _ = try? await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)  // a broken connection ends its locks anyway
                        throw error
                    }
                    _ = try? await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)  // as above
                }
            } catch {
                if isHeld { logger.warning("Lost the controllers' lease", metadata: ["error": "\(error)"]) }
                held.withLockedValue { $0 = false }
                try? await Task.sleep(for: period)  // cancelled: the loop ends
            }
        }
        held.withLockedValue { $0 = false }
    }

    /// Takes the lock when free, then checks every `period` that the connection still lives.
    func hold(on connection: PostgresConnection) async throws {
        while !Task.isCancelled {
            if !isHeld {
                var got = false
                for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) { got = value }
                if got {
                    held.withLockedValue { $0 = true }
                    logger.notice("This replica runs the controllers (it holds the lease)")
                }
            } else {
                // The lock lives as long as this connection: check that it does.
                try await connection.query("SELECT 1", logger: logger)
            }
            try await Task.sleep(for: period)
        }
    }
}
