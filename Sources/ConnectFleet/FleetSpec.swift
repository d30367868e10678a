import Foundation

/// A simulated fleet of Kafka Connect clusters, for measuring what Switchboard costs at a size real
/// workers cannot reach on one machine (tens of thousands of connectors). Everything follows from
/// these numbers: the same spec always gives the same connectors, so the catalog written for a
/// fleet (``FleetCatalog``) matches what the fleet serves.
///
/// The simulation is for cost only; real workers stay the test of behaviour. Its answers have the
/// fields and types of a real 3.9 worker's (checked by FleetShapeTests against one).
public struct FleetSpec: Sendable, Equatable {
    /// Clusters `fleet-01`..`fleet-NN`, each on its own port from `basePort`.
    public var clusters: Int
    /// Connectors over all clusters.
    public var connectors: Int
    /// Teams `team-001`..; connectors are dealt to teams in turn.
    public var teams: Int
    /// Share of connectors with their only task FAILED.
    public var failed: Double
    /// Share of connectors with three tasks, one FAILED (degraded).
    public var degraded: Double
    /// Share of connectors PAUSED or STOPPED by their owners.
    public var paused: Double
    /// Share of connectors whose state changes between two bulk reads (a task fails, a failed task recovers).
    public var churn: Double
    public var basePort: Int
    /// The Connect version the workers report.
    public var version: String

    public init(clusters: Int = 10, connectors: Int = 20_000, teams: Int = 300, failed: Double = 0.01, degraded: Double = 0.02,
                paused: Double = 0.03, churn: Double = 0.002, basePort: Int = 48_000, version: String = "3.9.0") {
        self.clusters = clusters
        self.connectors = connectors
        self.teams = teams
        self.failed = failed
        self.degraded = degraded
        self.paused = paused
        self.churn = churn
        self.basePort = basePort
        self.version = version
    }

    public func clusterName(_ index: Int) -> String { String(format: "fleet-%02d", index + 1) }
    public func port(ofCluster index: Int) -> Int { basePort + index }
    public func teamName(_ index: Int) -> String { String(format: "team-%03d", index + 1) }

    /// The connectors of cluster `index` (connector `i` lives on cluster `i % clusters`).
    public func connectors(ofCluster index: Int) -> [FleetConnector] {
        stride(from: index, to: connectors, by: max(clusters, 1)).map(connector)
    }

    /// Connector number `i`: its team, kind, config and first state, all from `i`.
    public func connector(_ i: Int) -> FleetConnector {
        let team = teamName(i % max(teams, 1))
        let short = String(format: "c%05d", i)
        let kind = FleetConnector.Kind.allCases[i % FleetConnector.Kind.allCases.count]
        let roll = Self.unit(i, salt: 1)
        let state: FleetConnector.State
        if roll < failed {
            state = .failed
        } else if roll < failed + degraded {
            state = .degraded
        } else if roll < failed + degraded + paused {
            state = Self.unit(i, salt: 2) < 0.5 ? .paused : .stopped
        } else {
            state = .running
        }
        // A sink reads the topic of the CDC source before it (another team's): a lineage that crosses teams.
        let sourceTopic = "\(team).public.orders_\(i)"
        let source = i - i % FleetConnector.Kind.allCases.count
        let readTopic = "\(teamName(source % max(teams, 1))).public.orders_\(source)"
        return FleetConnector(index: i, team: team, shortName: short, cluster: clusterName(i % max(clusters, 1)), kind: kind,
                              tasks: state == .degraded ? 3 : 1, state: state,
                              config: kind.config(index: i, team: team, topic: kind.isSource ? sourceTopic : readTopic),
                              topics: [kind.isSource ? sourceTopic : readTopic])
    }

    /// A number in [0, 1) from `i` and `salt`, the same on every run (splitmix64).
    static func unit(_ i: Int, salt: UInt64) -> Double {
        var z = UInt64(bitPattern: Int64(i)) &+ salt &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

/// One simulated connector.
public struct FleetConnector: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        case debezium, jdbcSink, s3Sink, fileSource

        public var isSource: Bool { self == .debezium || self == .fileSource }
        public var className: String {
            switch self {
            case .debezium: "io.debezium.connector.postgresql.PostgresConnector"
            case .jdbcSink: "io.confluent.connect.jdbc.JdbcSinkConnector"
            case .s3Sink: "io.confluent.connect.s3.S3SinkConnector"
            case .fileSource: "org.apache.kafka.connect.file.FileStreamSourceConnector"
            }
        }
        public var pluginVersion: String {
            switch self {
            case .debezium: "3.0.7.Final"
            case .jdbcSink: "10.7.6"
            case .s3Sink: "10.5.13"
            case .fileSource: "3.9.0"
            }
        }

        /// The config keys a real connector of this kind has (without connector.class, tasks.max
        /// and name), with the sizes real values have; secrets as config-provider references.
        func config(index i: Int, team: String, topic: String) -> [String: String] {
            let converters = ["key.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                              "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"]
            switch self {
            case .debezium:
                return converters.merging([
                    "database.hostname": "\(team)-db-\(i % 7).internal.example.com", "database.port": "5432", "database.user": "cdc_\(team.replacingOccurrences(of: "-", with: "_"))",
                    "database.password": "${file:/etc/connect/secrets/\(team).properties:password}", "database.dbname": "orders",
                    "topic.prefix": "\(team)", "table.include.list": "public.orders_\(i),public.order_lines_\(i)", "plugin.name": "pgoutput",
                    "slot.name": "slot_\(i)", "publication.name": "pub_\(i)", "snapshot.mode": "initial", "heartbeat.interval.ms": "10000",
                    "transforms": "route", "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
                    "transforms.route.regex": ".*", "transforms.route.replacement": topic,
                ]) { a, _ in a }
            case .jdbcSink:
                return converters.merging([
                    "topics": topic, "connection.url": "jdbc:postgresql://\(team)-warehouse.internal.example.com:5432/analytics",
                    "connection.user": "sink_\(i)", "connection.password": "${file:/etc/connect/secrets/\(team).properties:warehouse}",
                    "insert.mode": "upsert", "pk.mode": "record_key", "auto.create": "true", "auto.evolve": "true", "batch.size": "3000",
                    "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq.\(team).c\(i)", "errors.deadletterqueue.context.headers.enable": "true",
                ]) { a, _ in a }
            case .s3Sink:
                return converters.merging([
                    "topics": topic, "s3.bucket.name": "\(team)-lake", "s3.region": "eu-west-1", "flush.size": "10000", "rotate.interval.ms": "600000",
                    "storage.class": "io.confluent.connect.s3.storage.S3Storage", "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
                    "partitioner.class": "io.confluent.connect.storage.partitioner.TimeBasedPartitioner", "path.format": "'year'=YYYY/'month'=MM/'day'=dd",
                    "partition.duration.ms": "3600000", "locale": "en-GB", "timezone": "UTC",
                ]) { a, _ in a }
            case .fileSource:
                return ["file": "/var/spool/\(team)/events-\(i).log", "topic": topic]
            }
        }
    }

    public enum State: String, Sendable {
        case running, failed, degraded, paused, stopped
    }

    public var index: Int
    public var team: String
    public var shortName: String
    public var cluster: String
    public var kind: Kind
    public var tasks: Int
    public var state: State
    /// Without connector.class, tasks.max and name.
    public var config: [String: String]
    public var topics: [String]

    /// The name on the cluster: `<team>_<name>`, as Switchboard names catalog connectors.
    public var name: String { "\(team)_\(shortName)" }

    /// The config as Connect stores it.
    public var liveConfig: [String: String] {
        config.merging(["connector.class": kind.className, "tasks.max": String(tasks), "name": name]) { a, _ in a }
    }
}
