import Logging
import NIOConcurrencyHelpers
import Outbound
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

    /// Gives the lease up now (a replica that stops): the loop ends and the lock is released on
    /// its own connection, so that another replica takes it at its next try (within `period`).
    func release() async {
        let running = task.withLockedValue { task in defer { task = nil }; return task }
        let wasHeld = isHeld
        running?.cancel()
        await running?.value
        if wasHeld { logger.notice("Released the controllers' lease") }
        held.withLockedValue { $0 = false }
    }

    /// The longest one check of the lock may take: a replica that cannot tell within it that
    /// it still holds the lock stops acting as the holder.
    var checkDeadline: Duration { max(period * 2, .seconds(5)) }

    func compete() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    // The lock belongs to this connection's session: it must not go back to the
                    // pool still holding it, or nobody could take the lease again.
                    do {
                        try await hold(on: connection)
                    } catch {
                        await release(connection)
                        throw error
                    }
                    await release(connection)
                }
            } catch {
                if isHeld && !Task.isCancelled { logger.warning("Lost the controllers' lease", metadata: ["error": "\(error)"]) }
            }
            held.withLockedValue { $0 = false }
            try? await Task.sleep(for: period)  // cancelled: the loop ends
        }
        held.withLockedValue { $0 = false }
    }

    func release(_ connection: PostgresConnection) async {
        let logger = self.logger, deadline = checkDeadline
        // In a task of its own: a stop cancels the loop, and the unlock must still be sent.
        // `try?`: a connection that cannot be asked is broken, and a broken connection's session
        // ends with its locks.
        await Task {
            _ = try? await withDeadline(deadline) { try await connection.query("SELECT pg_advisory_unlock_all()", logger: logger) }
        }.value
    }

    /// Takes the lock when free, then checks every `period` that the connection still lives;
    /// each check within ``checkDeadline``.
    func hold(on connection: PostgresConnection) async throws {
        let key = self.key, logger = self.logger
        while !Task.isCancelled {
            if !isHeld {
                let got = try await withDeadline(checkDeadline) {
                    var got = false
                    for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) { got = value }
                    return got
                }
                if got {
                    held.withLockedValue { $0 = true }
                    logger.notice("This replica runs the controllers (it holds the lease)")
                }
            } else {
                // The lock lives as long as this connection: check that it does.
                _ = try await withDeadline(checkDeadline) { try await connection.query("SELECT 1", logger: logger) }
            }
            try await Task.sleep(for: period)
        }
    }
}
