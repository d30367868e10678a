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

/// The topics a connector's config names: a sink's `topics` (or the known topics matching
/// `topics.regex`), a source's `topic` or `kafka.topic`, and a Debezium source's
/// `<topic.prefix>.<table>` for each table of `table.include.list` (or the known topics under
/// the prefix). Used where Connect has reported nothing yet (a connector that has not run).
public enum DeclaredTopics {
    /// The config keys ``of(type:config:known:)`` reads.
    static let keys = ["topics", "topics.regex", "topic", "kafka.topic", "topic.prefix", "database.server.name", "table.include.list"]

    /// What ``of(type:config:known:)`` depends on besides the known topics.
    static func signature(type: String?, config: [String: String]) -> String {
        ([type ?? ""] + keys.map { config[$0] ?? "\u{0}" }).joined(separator: "\u{1F}")
    }

    public static func of(type: String?, config: [String: String], known: [String]) -> [String] {
        var topics: [String] = []
        if let list = config["topics"] {
            topics += list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        // `try?`: a Java pattern Foundation cannot compile names no topic here (the topics
        // Connect reports still count).
        if let pattern = config["topics.regex"], let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$") {
            topics += known.filter { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
        }
        if type != "sink" {
            for key in ["topic", "kafka.topic"] {
                if let topic = config[key]?.trimmingCharacters(in: .whitespaces), !topic.isEmpty { topics.append(topic) }
            }
            if let prefix = config["topic.prefix"] ?? config["database.server.name"], !prefix.isEmpty {
                let tables = (config["table.include.list"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let plain = tables.filter { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" } }
                topics += plain.map { "\(prefix).\($0)" }
                if plain.count < tables.count || tables.isEmpty {
                    topics += known.filter { $0.hasPrefix(prefix + ".") }
                }
            }
        }
        var seen = Set<String>()
        return topics.filter { seen.insert($0).inserted }
    }
}
