import Foundation

extension Catalog {
    /// The brokers a cluster's connectors write to and read from, as one key (the bootstrap
    /// servers, sorted, lower case): connectors of clusters with the same key share topics. A
    /// cluster without `kafka:` is a broker of its own.
    public func broker(of cluster: String) -> String {
        guard let servers = self.cluster(named: cluster)?.kafka?.bootstrapServers else { return "cluster \(cluster)" }
        return servers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.sorted().joined(separator: ",")
    }
}

/// Whom a plan's changes hurt, from the lineage: for each change that stops a source (delete,
/// pause, stop) or takes topics away from it (an update), the connectors of other teams that
/// read those topics; for each sink whose topics change, where its new input comes from.
/// Readers Switchboard cannot know (a consumer outside Kafka Connect, a `topics.regex` it cannot
/// read) are said, never taken as "no impact".
public struct PlanImpact: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The source stops writing (deleted, paused or stopped).
        case stopsInput = "stops-input"
        /// The source writes other topics than before.
        case changesInput = "changes-input"
        /// A sink reads other topics than before (informational).
        case sinkInput = "sink-input"
    }

    /// A connector on the other end of a topic.
    public struct Party: Sendable, Codable, Equatable, Hashable {
        public var cluster: String
        public var connector: String
        public var team: String?
        public var topic: String
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var kind: Kind
        public var cluster: String
        public var connector: String
        public var team: String?
        /// The topics it no longer writes (a source), or now reads (a sink).
        public var topics: [String]
        /// Sinks of other teams that read those topics (a source's change).
        public var readers: [Party]
        /// Sources that write a sink's new topics.
        public var producers: [Party]
        /// Why the list of readers may be incomplete.
        public var unknown: [String]
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// The teams whose connectors lose or change their input.
    public var affectedTeams: [String] {
        Array(Set(entries.flatMap { $0.readers.compactMap(\.team) })).sorted()
    }

    /// Entries that hurt another team's connectors.
    public var crossTeam: [Entry] { entries.filter { !$0.readers.isEmpty } }

    /// Works out the impact of `plan` over what runs (`live`, every cluster the catalog names).
    /// `reported` holds the topics Connect reports for a changed source (`cluster/name`), beside
    /// what its config names.
    public static func assess(_ plan: Plan, live: [String: [LiveConnector]], catalog: Catalog, reported: [String: [String]] = [:]) -> PlanImpact {
        let deleted = Set(plan.changes.filter { $0.action == .delete }.map { "\($0.cluster)/\($0.connector)" })
        // Every sink that runs now and still will, per broker.
        var sinks: [String: [(cluster: String, connector: LiveConnector, team: String?)]] = [:]
        for (cluster, connectors) in live {
            for connector in connectors where isSink(connector.config ?? [:]) && !deleted.contains("\(cluster)/\(connector.name)") {
                sinks[catalog.broker(of: cluster), default: []].append((cluster, connector, team(of: connector.name, cluster: cluster, catalog)))
            }
        }
        let sources = live.flatMap { cluster, connectors in connectors.filter { !isSink($0.config ?? [:]) }.map { (cluster, $0) } }
        var entries: [Entry] = []
        for change in plan.changes {
            let current = live[change.cluster]?.first { $0.name == change.connector }
            let before = current?.config ?? [:]
            let after = change.config ?? catalog.connectors(on: change.cluster).first { $0.fullName == change.connector }.map { catalog.policy.effectiveConfig(for: $0) } ?? before
            let team = change.team ?? self.team(of: change.connector, cluster: change.cluster, catalog)
            let broker = catalog.broker(of: change.cluster)
            if current != nil, !isSink(before) {
                let writes = Set(DeclaredTopics.of(type: "source", config: before, known: []) + (reported["\(change.cluster)/\(change.connector)"] ?? []))
                let kind: Kind
                let lost: Set<String>
                switch change.action {
                case .delete:
                    (kind, lost) = (.stopsInput, writes)
                case .changeState where change.toState == .paused || change.toState == .stopped:
                    (kind, lost) = (.stopsInput, writes)
                case .update where change.changesState && (change.toState == .paused || change.toState == .stopped):
                    (kind, lost) = (.stopsInput, writes)
                case .update:
                    (kind, lost) = (.changesInput, writes.subtracting(DeclaredTopics.of(type: "source", config: after, known: [])))
                default:
                    continue
                }
                guard !lost.isEmpty || kind == .stopsInput else { continue }
                var readers: [Party] = []
                var unknown = ["consumers outside Kafka Connect are not known to Switchboard"]
                if writes.isEmpty {
                    unknown.append("neither its config nor Connect names the topics it writes")
                }
                for sink in sinks[broker] ?? [] where sink.team != team || team == nil {
                    let config = sink.connector.config ?? [:]
                    for topic in lost.sorted() where reads(config, topic: topic, unknown: &unknown, sink: sink.connector.name) {
                        readers.append(Party(cluster: sink.cluster, connector: sink.connector.name, team: sink.team, topic: topic))
                    }
                }
                entries.append(Entry(kind: kind, cluster: change.cluster, connector: change.connector, team: team, topics: lost.sorted(),
                                     readers: readers.sorted { ($0.team ?? "", $0.connector, $0.topic) < ($1.team ?? "", $1.connector, $1.topic) },
                                     producers: [], unknown: unknown))
            } else if change.action == .update || change.action == .create, isSink(after) {
                let old = Set(DeclaredTopics.of(type: "sink", config: before, known: []))
                let new = Set(DeclaredTopics.of(type: "sink", config: after, known: []))
                let added = new.subtracting(old)
                guard change.action == .update, !added.isEmpty || after["topics.regex"] != before["topics.regex"] else { continue }
                var producers: [Party] = []
                for (cluster, source) in sources where catalog.broker(of: cluster) == broker {
                    let writes = Set(DeclaredTopics.of(type: "source", config: source.config ?? [:], known: []))
                    for topic in added.intersection(writes).sorted() {
                        producers.append(Party(cluster: cluster, connector: source.name, team: self.team(of: source.name, cluster: cluster, catalog), topic: topic))
                    }
                }
                var unknown: [String] = []
                if after["topics.regex"] != nil { unknown.append("it reads topics.regex \(after["topics.regex"] ?? ""): the topics it matches are known only on the broker") }
                entries.append(Entry(kind: .sinkInput, cluster: change.cluster, connector: change.connector, team: team, topics: added.sorted(),
                                     readers: [], producers: producers.sorted { ($0.connector, $0.topic) < ($1.connector, $1.topic) }, unknown: unknown))
            }
        }
        return PlanImpact(entries: entries)
    }

    /// Whether a sink's config reads `topic`: named in `topics`, or matched by `topics.regex`
    /// (a pattern Foundation cannot read is noted as unknown, not as "does not read").
    static func reads(_ config: [String: String], topic: String, unknown: inout [String], sink: String) -> Bool {
        if let list = config["topics"], list.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == topic }) { return true }
        guard let pattern = config["topics.regex"] else { return false }
        do {
            let regex = try NSRegularExpression(pattern: "^(?:\(pattern))$")
            return regex.firstMatch(in: topic, range: NSRange(topic.startIndex..., in: topic)) != nil
        } catch {
            let note = "\(sink) reads topics.regex \(pattern), which Switchboard cannot evaluate"
            if !unknown.contains(note) { unknown.append(note) }
            return false
        }
    }

    public static func isSink(_ config: [String: String]) -> Bool {
        config["topics"] != nil || config["topics.regex"] != nil
    }

    /// A connector's team: the catalog's definition, else its name's prefix when it names a team.
    static func team(of name: String, cluster: String, _ catalog: Catalog) -> String? {
        catalog.connectors(on: cluster).first { $0.fullName == name }?.team ?? catalog.owningTeam(ofConnectorNamed: name)?.name
    }
}
