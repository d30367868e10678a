import Foundation
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// What the lineage is drawn for.
public enum LineageScope: Sendable, Equatable {
    case platform
    case team(String)
    case connector(String)
    case topic(String)
}

/// Every connector's topics over the platform, built once per snapshot and topic reading; scoped
/// graphs are cut from it.
public struct LineageIndex: Sendable {
    struct Link: Sendable {
        var topic: String
        var seen: Bool
    }

    let connectors: [String: LineageGraph.Connector]
    let links: [String: [Link]]
    let topics: [String: LineageGraph.Topic]
    let producers: [String: [String]]
    let consumers: [String: [String]]
    /// What each connector's config names, with what it was worked out from: the next build
    /// reuses it while the config and the broker's topics are the same (a `topics.regex` is
    /// matched against every topic of the broker).
    let declared: [String: (signature: String, topics: [String])]
    let known: [String: [String]]
    /// Topic names from configs through the scrubber, kept for the next build (names repeat).
    var scrubbedNames: [String: String] = [:]

    public static func build(snapshot: Snapshot, catalog: Catalog, book: TopicBook, previous: LineageIndex? = nil) -> LineageIndex {
        let observed = book.observed
        let brokerTopics = book.brokerTopics
        let count = snapshot.connectors.count
        var connectors: [String: LineageGraph.Connector] = [:], links: [String: [Link]] = [:]
        connectors.reserveCapacity(count)
        links.reserveCapacity(count)
        var topics: [String: LineageGraph.Topic] = [:]
        topics.reserveCapacity(previous?.topics.count ?? count)
        var producers: [String: [String]] = [:], consumers: [String: [String]] = [:]
        // Topic names known per broker: the broker's own list and every reported topic.
        var known: [String: Set<String>] = [:]
        for (cluster, names) in brokerTopics { known[kafka(of: cluster, catalog), default: []].formUnion(names) }
        for (key, entry) in observed { known[kafka(of: ConnectorView.parts(ofKey: key).cluster, catalog), default: []].formUnion(entry.topics) }
        let knownSorted = known.mapValues { $0.sorted() }
        // Whether a broker's topics are as at the previous build (declared topics found then still hold).
        var unchangedBrokers: [String: Bool] = [:]
        func unchanged(_ broker: String) -> Bool {
            if let known = unchangedBrokers[broker] { return known }
            let same = previous.map { $0.known[broker] == knownSorted[broker] } ?? false
            unchangedBrokers[broker] = same
            return same
        }
        var declaredByConnector: [String: (signature: String, topics: [String])] = [:]
        declaredByConnector.reserveCapacity(count)
        var scrubbed = previous?.scrubbedNames ?? [:]
        if scrubbed.count > 4 * count + 1000 { scrubbed = [:] }  // names of topics long gone
        for (key, view) in snapshot.connectors {
            let broker = kafka(of: view.cluster, catalog)
            let type = view.type == "sink" || (view.type == nil && (view.config["topics"] != nil || view.config["topics.regex"] != nil)) ? "sink" : "source"
            connectors[key] = .init(id: key, name: view.name, cluster: view.cluster, team: view.team, type: type, health: view.health)
            let seen = Set(observed[key]?.topics ?? [])
            let signature = DeclaredTopics.signature(type: type, config: view.config)
            let declared: [String]
            if let reused = previous?.declared[key], reused.signature == signature, unchanged(broker) {
                declared = reused.topics
            } else {
                declared = DeclaredTopics.of(type: type, config: view.config, known: knownSorted[broker] ?? [])
            }
            declaredByConnector[key] = (signature, declared)
            var names = Array(seen).sorted()
            // Names from configs are user data: through the scrubber, as Connect's are (once each).
            names += declared.filter { !seen.contains($0) }.map { name in
                if let clean = scrubbed[name] { return clean }
                let clean = Scrubber.scrub(name)
                scrubbed[name] = clean
                return clean
            }
            var connectorLinks: [Link] = []
            for name in names {
                let id = "topic:\(broker)/\(name)"
                if topics[id] == nil { topics[id] = .init(id: id, name: name, kafka: broker) }
                connectorLinks.append(Link(topic: id, seen: seen.contains(name)))
                if type == "sink" { consumers[id, default: []].append(key) } else { producers[id, default: []].append(key) }
            }
            links[key] = connectorLinks
        }
        return LineageIndex(connectors: connectors, links: links, topics: topics, producers: producers.mapValues { $0.sorted() }, consumers: consumers.mapValues { $0.sorted() },
                            declared: declaredByConnector, known: knownSorted, scrubbedNames: scrubbed)
    }

    /// The brokers a cluster's connectors write to and read from.
    static func kafka(of cluster: String, _ catalog: Catalog) -> String { catalog.broker(of: cluster) }

    /// The graph of a scope: its connectors, their topics, and every connector on those topics.
    public func graph(_ scope: LineageScope) -> LineageGraph {
        let chosenTopics: Set<String>
        var chosenConnectors: Set<String>
        switch scope {
        case .platform:
            chosenTopics = Set(topics.keys)
            chosenConnectors = Set(connectors.keys)
        case .team(let team):
            chosenConnectors = Set(connectors.values.filter { $0.team == team }.map(\.id))
            chosenTopics = Set(chosenConnectors.flatMap { links[$0]?.map(\.topic) ?? [] })
        case .connector(let key):
            chosenConnectors = connectors[key] == nil ? [] : [key]
            chosenTopics = Set(links[key]?.map(\.topic) ?? [])
        case .topic(let name):
            chosenTopics = Set(topics.values.filter { $0.name == name }.map(\.id))
            chosenConnectors = []
        }
        let withoutTopics = chosenConnectors.filter { links[$0]?.isEmpty ?? true }.sorted()
        for topic in chosenTopics {
            chosenConnectors.formUnion(producers[topic] ?? [])
            chosenConnectors.formUnion(consumers[topic] ?? [])
        }
        var edges: [LineageGraph.Edge] = []
        var paths: [LineageGraph.CrossTeamPath] = []
        for topic in chosenTopics.sorted() {
            let from = (producers[topic] ?? []).filter(chosenConnectors.contains)
            let to = (consumers[topic] ?? []).filter(chosenConnectors.contains)
            var crossing = Set<String>()
            for source in from {
                for sink in to where connectors[source]?.team != connectors[sink]?.team {
                    crossing.formUnion([source, sink])
                    if paths.count < 1000 {
                        paths.append(.init(source: source, topic: topic, sink: sink, sourceTeam: connectors[source]?.team, sinkTeam: connectors[sink]?.team))
                    }
                }
            }
            for source in from {
                edges.append(.init(from: source, to: topic, seen: seen(source, topic), crossTeam: crossing.contains(source)))
            }
            for sink in to {
                edges.append(.init(from: topic, to: sink, seen: seen(sink, topic), crossTeam: crossing.contains(sink)))
            }
        }
        let drawn = chosenConnectors.filter { !(links[$0]?.isEmpty ?? true) }
        return LineageGraph(
            connectors: drawn.compactMap { connectors[$0] }.sorted { ($0.cluster, $0.name) < ($1.cluster, $1.name) },
            topics: chosenTopics.compactMap { topics[$0] }.sorted { ($0.name, $0.kafka) < ($1.name, $1.kafka) },
            edges: edges, crossTeamPaths: paths, withoutTopics: withoutTopics
        )
    }

    func seen(_ connector: String, _ topic: String) -> Bool {
        links[connector]?.contains { $0.topic == topic && $0.seen } ?? false
    }

    /// The connectors that read or write a topic whose name contains `text` (any case): the
    /// overview's and the list API's topic search.
    public func connectors(onTopicsContaining text: String) -> Set<String> {
        let needle = text.lowercased()
        var found = Set<String>()
        for (id, topic) in topics where topic.name.lowercased().contains(needle) {
            found.formUnion(producers[id] ?? [])
            found.formUnion(consumers[id] ?? [])
        }
        return found
    }

    /// The topic ids a connector reads or writes.
    public func topics(of key: String) -> [LineageGraph.Topic] {
        (links[key] ?? []).compactMap { topics[$0.topic] }
    }
}
