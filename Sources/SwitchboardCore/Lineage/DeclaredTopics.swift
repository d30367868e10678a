import Foundation

/// The topics a connector's config names: a sink's `topics` (or the known topics matching
/// `topics.regex`), a source's `topic` or `kafka.topic`, and a Debezium source's
/// `<topic.prefix>.<table>` for each table of `table.include.list` (or the known topics under
/// the prefix). Used where Connect has reported nothing yet (a connector that has not run).
public enum DeclaredTopics {
    /// The config keys ``of(type:config:known:)`` reads.
    public static let keys = ["topics", "topics.regex", "topic", "kafka.topic", "topic.prefix", "database.server.name", "table.include.list"]

    /// What ``of(type:config:known:)`` depends on besides the known topics.
    public static func signature(type: String?, config: [String: String]) -> String {
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
