import Foundation
import SwitchboardStorage

/// Requests from people and webhooks (through the storage, so that whichever replica they reach,
/// the one running the controller sees them), the wait between syncs, and what a replica without
/// the lease does meanwhile.
extension GitOpsController {
    /// Starts a sync now, or right after the one running (a push webhook). The request goes
    /// through the storage, so that the replica running the controllers sees it whichever
    /// replica the webhook reached.
    public func wake() async throws {
        try await audit.storage.requestSync(cluster: nil, by: "webhook")
        wakeup.signal()
    }

    /// Applies the pending plan of `cluster` at the next sync, whatever its mode (someone allowed
    /// to do so pressed "apply"); `user` is who asked. Through the storage, as ``wake()``.
    public func requestApply(cluster: String, by user: String) async throws {
        try await audit.storage.requestSync(cluster: cluster, by: user)
        wakeup.signal()
    }

    /// Until the interval ends, someone wakes the controller, or (holding the lease) a request
    /// arrives through the storage from another replica; checked every 2 s.
    func nap() async {
        let end = ContinuousClock.now + interval
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: end) }
            group.addTask { await self.wakeup.wait() }
            group.addTask {
                while !Task.isCancelled, ContinuousClock.now < end {
                    try? await Task.sleep(for: .seconds(2))
                    // Taken in a task of its own: the nap ending (cancelling this one) must not drop
                    // requests already deleted from the storage.
                    if self.lease.isHeld, await Task(operation: { await self.takeRequests() }).value { return }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Moves the storage's requests into this controller's; true when there were any.
    func takeRequests() async -> Bool {
        do {
            let taken = try await audit.storage.takeSyncRequests()
            requested.withLockedValue { requested in
                for request in taken {
                    if let cluster = request.cluster { requested[cluster] = request.user }
                }
            }
            return !taken.isEmpty
        } catch {
            logger.warning("GitOps: cannot read the sync requests", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// A replica without the lease: fetch and load like ``sync()`` (quietly), and show the
    /// clusters as the running replica last recorded them.
    func follow() async {
        do {
            let tip = try await repository.fetch()
            state.withLockedValue { $0.fetched = tip; $0.fetchedAt = Date(); $0.fetchError = nil }
            await load(tip, quietly: true)
        } catch {
            state.withLockedValue { $0.fetchError = error.description; $0.fetchedAt = Date() }
        }
        do {
            if let recorded = try await audit.storage.gitopsStatus() {
                state.withLockedValue { status in
                    status.clusters = recorded.clusters
                    status.lastSyncAt = recorded.lastSyncAt
                    status.lastSyncSeconds = recorded.lastSyncSeconds
                    status.commitsBehind = recorded.commitsBehind
                }
            }
        } catch {
            logger.warning("GitOps: cannot read the status the running replica recorded", metadata: ["error": "\(error)"])
        }
    }
}
