import Foundation

/// Where data goes: connectors -> topics -> connectors, over every cluster and team. A topic is
/// one node per broker: clusters whose `kafka.bootstrapServers` name the same brokers share it
/// (a source on one cluster feeding a sink on another); a cluster without `kafka:` settings has
/// topics of its own. Sources write to topics, sinks read from them.
public struct LineageGraph: Sendable, Codable, Equatable {
    public struct Connector: Sendable, Codable, Equatable {
        /// `cluster/name`, as everywhere in the API.
        public var id: String
        public var name: String
        public var cluster: String
        public var team: String?
        /// `source` or `sink`.
        public var type: String
        public var health: String

        public init(id: String, name: String, cluster: String, team: String?, type: String, health: String) {
            self.id = id
            self.name = name
            self.cluster = cluster
            self.team = team
            self.type = type
            self.health = health
        }
    }

    public struct Topic: Sendable, Codable, Equatable {
        /// `topic:<brokers>/<name>`.
        public var id: String
        public var name: String
        /// The brokers holding it (`kafka.bootstrapServers`), or `cluster <name>` when unknown.
        public var kafka: String

        public init(id: String, name: String, kafka: String) {
            self.id = id
            self.name = name
            self.kafka = kafka
        }
    }

    public struct Edge: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        /// Connect reported the topic (active topics); false: only the config names it so far.
        public var seen: Bool
        /// Part of a path from one team's connector to another team's.
        public var crossTeam: Bool

        public init(from: String, to: String, seen: Bool, crossTeam: Bool) {
            self.from = from
            self.to = to
            self.seen = seen
            self.crossTeam = crossTeam
        }
    }

    /// A source of one team feeding a sink of another through a topic.
    public struct CrossTeamPath: Sendable, Codable, Equatable {
        public var source: String
        public var topic: String
        public var sink: String
        public var sourceTeam: String?
        public var sinkTeam: String?

        public init(source: String, topic: String, sink: String, sourceTeam: String?, sinkTeam: String?) {
            self.source = source
            self.topic = topic
            self.sink = sink
            self.sourceTeam = sourceTeam
            self.sinkTeam = sinkTeam
        }
    }

    public var connectors: [Connector]
    public var topics: [Topic]
    public var edges: [Edge]
    public var crossTeamPaths: [CrossTeamPath]
    /// Connectors in scope with no known topic (not drawn).
    public var withoutTopics: [String]

    public init(connectors: [Connector], topics: [Topic], edges: [Edge], crossTeamPaths: [CrossTeamPath], withoutTopics: [String]) {
        self.connectors = connectors
        self.topics = topics
        self.edges = edges
        self.crossTeamPaths = crossTeamPaths
        self.withoutTopics = withoutTopics
    }
}
