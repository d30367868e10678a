import ConnectClient
import Foundation
import Logging
import ServiceLifecycle
import SwitchboardSnapshot

/// Reads the topics Connect records for each connector (`GET /connectors/{name}/topics`) into
/// the ``TopicBook``: every `interval`, at most `budget` connectors per cluster, those never
/// read first, then the longest unread of those RUNNING (a paused, stopped or failed connector
/// writes to no new topic: it is read again once it runs), `concurrency` at a time, each call with a short timeout
/// and no retry. With the defaults (30 s, 100, 4) a cluster of 1,000 connectors is read through
/// every five minutes at about three requests per second; topics rarely change. A cluster whose
/// workers refuse (403 "Topic tracking is disabled": `topic.tracking.enable=false`) is asked
/// again only every tenth round: its connectors' configs still name their topics.
public struct TopicPoller: Service {
    let store: SnapshotStore
    let flow: DataFlow
    let interval: Duration
    let budget: Int
    let concurrency: Int
    /// With several replicas, only the lease holder reads; the others take what it recorded.
    let share: any FlowShare
    let logger: Logger

    public init(store: SnapshotStore, flow: DataFlow, interval: Duration = .seconds(30), budget: Int = 100, concurrency: Int = 4,
                share: any FlowShare = LocalFlow(), logger: Logger = Logger(label: "switchboard.topics")) {
        self.share = share
        self.store = store
        self.flow = flow
        self.interval = interval
        self.budget = max(1, budget)
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    public func run() async throws {
        try await untilShutdown {
            var round = 0
            var untracked: Set<String> = []
            var taken = Date.distantPast
            while !Task.isCancelled {
                if share.polls {
                    let recheck = round % 10 == 0
                    let found = await poll(skipping: recheck ? [] : untracked)
                    untracked = recheck ? found : untracked.union(found)
                    round += 1
                    await share.publish("topics", SharedTopics(at: Date(), observed: flow.topics.observed))
                } else if let shared = await share.latest("topics", as: SharedTopics.self), shared.at > taken {
                    taken = shared.at
                    take(shared)
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// What the replica that polls recorded, recorded here too (entries newer than this replica's).
    public func take(_ shared: SharedTopics) {
        let book = flow.topics
        for (key, entry) in shared.observed where (book.observed(key)?.readAt ?? .distantPast) < entry.readAt {
            book.record(key, topics: entry.topics, at: entry.readAt)
        }
    }

    /// One round over the clusters not in `untracked`; returns those found not to track topics.
    @discardableResult
    public func poll(skipping untracked: Set<String> = []) async -> Set<String> {
        let snapshot = store.current
        let book = flow.topics
        let observed = book.observed
        var notTracking: Set<String> = []
        for (name, cluster) in snapshot.clusters where cluster.isReachable && !untracked.contains(name) {
            // A connector that does not run writes no new topics: once read, it waits until it runs again.
            let due = cluster.connectorKeys
                .filter { observed[$0] == nil || snapshot.connectors[$0]?.state == "RUNNING" }
                .sorted { (observed[$0]?.readAt ?? .distantPast, $0) < (observed[$1]?.readAt ?? .distantPast, $1) }
                .prefix(budget)
            guard !due.isEmpty else { continue }
            var client: ConnectClient
            do {
                client = try store.connections.client(name)
            } catch {
                logger.warning("No client for the cluster; its topics are not read", metadata: ["cluster": "\(name)", "error": "\(error)"])
                continue
            }
            client.requestTimeout = .seconds(3)
            client.readRetry = .none
            let reader = client
            let tracking = await withTaskGroup(of: Bool.self) { group -> Bool in
                var pending = due.makeIterator()
                var tracking = true
                func next() -> Bool {
                    guard let key = pending.next(), let connector = snapshot.connectors[key] else { return false }
                    group.addTask {
                        do {
                            book.record(key, topics: try await reader.topics(of: connector.name))
                        } catch let error as ConnectError where error.status == 403 || (error.message ?? "").lowercased().contains("topic tracking") {
                            return false
                        } catch {
                            logger.debug("Topics unavailable", metadata: ["connector": "\(key)", "error": "\((error as? ConnectError)?.shortDescription ?? "error")"])
                        }
                        return true
                    }
                    return true
                }
                for _ in 0..<concurrency where next() {}
                for await answered in group {
                    tracking = tracking && answered
                    guard tracking else { group.cancelAll(); break }
                    _ = next()
                }
                return tracking
            }
            if !tracking {
                notTracking.insert(name)
                logger.notice("The cluster does not track connectors' topics (topic.tracking.enable=false?); the lineage uses their configs", metadata: ["cluster": "\(name)"])
            }
        }
        return notTracking
    }
}

extension TopicPoller: CustomStringConvertible {
    public var description: String { "TopicPoller" }
}
