import Foundation
import NIOConcurrencyHelpers
import SwitchboardCore

/// The topics each connector reads or writes, as Connect last reported them
/// (`GET /connectors/{name}/topics`, read by the ``TopicPoller`` a few connectors at a time and
/// by a connector's page), and the topic names each broker holds (from the lag poller's metadata
/// read). The lineage joins these with the topics connectors' configs name (``DeclaredTopics``).
public final class TopicBook: Sendable {
    public struct Entry: Sendable, Equatable, Codable {
        public var topics: [String]
        public var readAt: Date
    }

    struct State {
        var observed: [String: Entry] = [:]
        /// Topic names on each cluster's broker.
        var brokerTopics: [String: [String]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Records what Connect reported for a connector (`cluster/name`). Topic names go through
    /// the scrubber like every text taken from Connect.
    public func record(_ key: String, topics: [String], at date: Date = Date()) {
        let topics = topics.map { Scrubber.scrub($0) }.sorted()
        state.withLockedValue { $0.observed[key] = Entry(topics: topics, readAt: date) }
    }

    public func setBrokerTopics(cluster: String, names: [String]) {
        let names = names.filter { !$0.hasPrefix("__") }.sorted()
        state.withLockedValue { $0.brokerTopics[cluster] = names }
    }

    /// Forgets connectors that are gone.
    public func retain(_ keys: Set<String>) {
        state.withLockedValue { state in
            state.observed = state.observed.filter { keys.contains($0.key) }
        }
    }

    public var observed: [String: Entry] { state.withLockedValue { $0.observed } }
    public func observed(_ key: String) -> Entry? { state.withLockedValue { $0.observed[key] } }
    public var brokerTopics: [String: [String]] { state.withLockedValue { $0.brokerTopics } }
}
