import Foundation
import SwitchboardAPI

/// A ``LineageGraph`` drawn as SVG in three columns: sources, topics, sinks. Each node links to
/// its page (a topic to the lineage of that topic); connectors are filled by state and say
/// their owner and cluster; an edge on a path from one team to another is thick and orange.
/// At most ``maxPerColumn`` nodes per column are drawn (topics crossing teams first); the rest
/// are counted below the column, and the API has them all.
enum LineageDrawing {
    static let maxPerColumn = 60
    static let columns = (source: 16, topic: 392, sink: 768)
    static let nodeWidth = 300, nodeHeight = 36, rowHeight = 46, top = 64
    static let width = 1084

    static func svg(_ graph: LineageGraph, highlight: String? = nil) -> HTML {
        let crossingTopics = Set(graph.crossTeamPaths.map(\.topic))
        let topics = graph.topics.sorted { (crossingTopics.contains($0.id) ? 0 : 1, $0.name, $0.kafka) < (crossingTopics.contains($1.id) ? 0 : 1, $1.name, $1.kafka) }
        let topicRank = Dictionary(uniqueKeysWithValues: topics.enumerated().map { ($1.id, $0) })
        // A connector sits level with the first topic it touches, so that edges run mostly flat.
        var firstTopic: [String: Int] = [:]
        for edge in graph.edges {
            let (connector, topic) = edge.from.hasPrefix("topic:") ? (edge.to, edge.from) : (edge.from, edge.to)
            firstTopic[connector] = min(firstTopic[connector] ?? .max, topicRank[topic] ?? .max)
        }
        let ordered = graph.connectors.sorted { (firstTopic[$0.id] ?? .max, $0.cluster, $0.name) < (firstTopic[$1.id] ?? .max, $1.cluster, $1.name) }
        let sources = ordered.filter { $0.type != "sink" }, sinks = ordered.filter { $0.type == "sink" }
        let shownTopics = Array(topics.prefix(maxPerColumn)), shownSources = Array(sources.prefix(maxPerColumn)), shownSinks = Array(sinks.prefix(maxPerColumn))
        var position: [String: (x: Int, y: Int)] = [:]
        for (index, topic) in shownTopics.enumerated() { position[topic.id] = (columns.topic, top + index * rowHeight) }
        for (index, source) in shownSources.enumerated() { position[source.id] = (columns.source, top + index * rowHeight) }
        for (index, sink) in shownSinks.enumerated() { position[sink.id] = (columns.sink, top + index * rowHeight) }
        let rows = max(shownTopics.count, shownSources.count, shownSinks.count, 1)
        let height = top + rows * rowHeight + 30

        let edges = Self.edges(graph, at: position)
        var nodes: [HTML] = []
        for connector in shownSources + shownSinks {
            guard let at = position[connector.id] else { continue }
            nodes.append(node(connector, at: at, highlighted: connector.id == highlight))
        }
        for topic in shownTopics {
            guard let at = position[topic.id] else { continue }
            let link = "/lineage" + HTML.query([("topic", topic.name)])
            nodes.append("""
                <a href="\(link)"><g class="node topic" data-id="\(topic.id)"><title>topic \(topic.name) on \(topic.kafka)</title>\
                <rect x="\(at.x)" y="\(at.y)" width="\(nodeWidth)" height="\(nodeHeight)" rx="18" fill="#f1f3f5" stroke="\(crossingTopics.contains(topic.id) ? "#e8590c" : "#868e96")"/>\
                <text x="\(at.x + 14)" y="\(at.y + 15)" font-size="12" font-weight="600" fill="#1d2433">\(truncated(topic.name, 40))</text>\
                <text x="\(at.x + 14)" y="\(at.y + 29)" font-size="10" fill="#6b7383">\(truncated(topic.kafka, 46))</text></g></a>
                """)
        }
        var notes: [HTML] = []
        for (count, total, x) in [(shownSources.count, sources.count, columns.source), (shownTopics.count, topics.count, columns.topic), (shownSinks.count, sinks.count, columns.sink)] where total > count {
            notes.append("<text x=\"\(x)\" y=\"\(top + rows * rowHeight + 12)\" font-size=\"12\" fill=\"#6b7383\">+\(total - count) more (narrow it to a team, or read GET /api/v1/lineage)</text>")
        }
        let headings = Self.headings(sources: sources.count, topics: topics.count, sinks: sinks.count)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="Lineage: sources, topics and sinks">\
            <title>Lineage</title>\(headings)\(edges)\(nodes)\(notes)</svg>
            """
    }

    /// The edges between the positioned nodes: plain ones first, so that the cross-team ones are
    /// drawn over them.
    static func edges(_ graph: LineageGraph, at position: [String: (x: Int, y: Int)]) -> [HTML] {
        var edges: [HTML] = []
        for edge in graph.edges.sorted(by: { !$0.crossTeam && $1.crossTeam }) {
            guard let from = position[edge.from], let to = position[edge.to] else { continue }
            let x1 = from.x + nodeWidth, y1 = from.y + nodeHeight / 2, x2 = to.x, y2 = to.y + nodeHeight / 2
            let middle = (x1 + x2) / 2
            let stroke: HTML = edge.crossTeam ? "stroke=\"#e8590c\" stroke-width=\"3\"" : "stroke=\"#868e96\" stroke-width=\"1.5\""
            let dash: HTML = edge.seen ? "" : " stroke-dasharray=\"6 4\""
            edges.append("<path class=\"edge\(edge.crossTeam ? " cross-team" : "")\" data-from=\"\(edge.from)\" data-to=\"\(edge.to)\" d=\"M\(x1) \(y1) C\(middle) \(y1) \(middle) \(y2) \(x2) \(y2)\" fill=\"none\" \(stroke)\(dash)/>")
        }
        return edges
    }

    /// The columns' headings with their counts, and the legend.
    static func headings(sources: Int, topics: Int, sinks: Int) -> HTML {
        let headings: HTML = """
            <text x="\(columns.source)" y="52" font-size="12" font-weight="600" fill="#495057">Sources (\(sources))</text>\
            <text x="\(columns.topic)" y="52" font-size="12" font-weight="600" fill="#495057">Topics (\(topics))</text>\
            <text x="\(columns.sink)" y="52" font-size="12" font-weight="600" fill="#495057">Sinks (\(sinks))</text>
            """
        let legend: HTML = """
            <g class="legend" font-size="11" fill="#495057">\
            <line x1="16" y1="18" x2="46" y2="18" stroke="#868e96" stroke-width="1.5"/><text x="52" y="22">data flows</text>\
            <line x1="136" y1="18" x2="166" y2="18" stroke="#e8590c" stroke-width="3"/><text x="172" y="22">from one team to another</text>\
            <line x1="336" y1="18" x2="366" y2="18" stroke="#868e96" stroke-width="1.5" stroke-dasharray="6 4"/><text x="372" y="22">named in the config, not reported by Connect yet</text></g>
            """
        return "\(legend)\(headings)"
    }

    static func node(_ connector: LineageGraph.Connector, at: (x: Int, y: Int), highlighted: Bool) -> HTML {
        let colour = Charts.colours(connector.health)
        let owner = "\(connector.team ?? "no team") · \(connector.cluster) · \(connector.health)"
        return """
            <a href="\(HTML.path("clusters", connector.cluster, "connectors", connector.name))"><g class="node connector" data-id="\(connector.id)" data-team="\(connector.team ?? "")" data-health="\(connector.health)">\
            <title>\(connector.type) \(connector.name) of \(connector.team ?? "no team") on \(connector.cluster): \(connector.health)</title>\
            <rect x="\(at.x)" y="\(at.y)" width="\(nodeWidth)" height="\(nodeHeight)" rx="4" fill="\(colour.fill)" stroke="\(colour.stroke)" stroke-width="\(highlighted ? "3" : "1")"/>\
            <text x="\(at.x + 8)" y="\(at.y + 15)" font-size="12" font-weight="600" fill="#1d2433">\(truncated(connector.name, 40))</text>\
            <text x="\(at.x + 8)" y="\(at.y + 29)" font-size="10" fill="\(colour.stroke)">\(truncated(owner, 48))</text></g></a>
            """
    }

    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
