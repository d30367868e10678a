import Foundation

/// The files of one Connect worker: `worker.properties`, a log4j2 configuration, and the
/// cluster's `plugin.path` folder that its workers share.
struct WorkerHome {
    let cluster: String
    /// From 1.
    let number: Int
    let port: Int
    let directory: URL
    let pluginPath: URL
    let bootstrapServers: String

    var propertiesFile: URL { directory.appendingPathComponent("worker.properties") }
    var log4jFile: URL { directory.appendingPathComponent("log4j2.properties") }
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// The worker configuration. Group id and storage topics are named after the cluster, so
    /// clusters on one broker stay apart. The group timeouts are lowered for a local machine so
    /// that a dead worker's tasks move within about half a minute: `scheduled.rebalance.max.delay.ms`
    /// (default 5 min) is how long Connect keeps a lost worker's tasks unassigned in case it comes
    /// back, and the session and rebalance timeouts (10 s, 60 s) are how long the group waits for
    /// a member that no longer answers. Tasks get 30 s (not 5 s) to stop, so that a sink's
    /// consumer leaves its group cleanly: on Tansu a consumer abandoned mid-join was seen to wedge
    /// its group until the broker restarted.
    func properties() -> String {
        """
        # Written by `switchboard dev up`; rewritten at each start.
        bootstrap.servers=\(bootstrapServers)
        group.id=switchboard-\(cluster)
        config.storage.topic=switchboard-\(cluster)-configs
        offset.storage.topic=switchboard-\(cluster)-offsets
        status.storage.topic=switchboard-\(cluster)-status
        config.storage.replication.factor=1
        offset.storage.replication.factor=1
        status.storage.replication.factor=1
        offset.storage.partitions=1
        status.storage.partitions=1
        key.converter=org.apache.kafka.connect.json.JsonConverter
        value.converter=org.apache.kafka.connect.json.JsonConverter
        key.converter.schemas.enable=false
        value.converter.schemas.enable=false
        listeners=http://127.0.0.1:\(port)
        rest.advertised.host.name=127.0.0.1
        rest.advertised.port=\(port)
        plugin.path=\(pluginPath.path)
        plugin.discovery=service_load
        offset.flush.interval.ms=1000
        scheduled.rebalance.max.delay.ms=10000
        session.timeout.ms=6000
        heartbeat.interval.ms=2000
        rebalance.timeout.ms=20000
        task.shutdown.graceful.timeout.ms=30000
        config.providers=file
        config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider

        """
    }

    /// Logs Connect at INFO and the chatty Kafka clients at WARN, to stdout (the daemon's log file).
    static let log4j = """
        status = warn
        appender.console.type = Console
        appender.console.name = console
        appender.console.layout.type = PatternLayout
        appender.console.layout.pattern = [%d] %p %m (%c{1})%n
        rootLogger.level = info
        rootLogger.appenderRef.console.ref = console
        logger.clients.name = org.apache.kafka.clients
        logger.clients.level = warn
        logger.reflections.name = org.reflections
        logger.reflections.level = error
        logger.telemetry.name = org.apache.kafka.common.telemetry
        logger.telemetry.level = warn

        """

    func write() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try properties().write(to: propertiesFile, atomically: true, encoding: .utf8)
        try Self.log4j.write(to: log4jFile, atomically: true, encoding: .utf8)
    }

    /// The java command line of this worker.
    func arguments(classpath: String, heap: String) -> [String] {
        [
            "-Xms128m", "-Xmx\(heap)", "-XX:+UseSerialGC",
            "-Dlog4j2.configurationFile=\(log4jFile.path)",
            "-cp", classpath,
            "org.apache.kafka.connect.cli.ConnectDistributed",
            propertiesFile.path,
        ]
    }
}
