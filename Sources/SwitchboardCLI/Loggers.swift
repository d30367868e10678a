import ArgumentParser
import ConnectClient
import Foundation
import SwitchboardAPI

/// `switchboard loggers get|set`: a cluster's log levels through Switchboard's server (its roles
/// and audit log apply, and the level is put back when its time is up).
struct Loggers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read or set a cluster's log levels (KIP-495/976) through Switchboard's server; a level set is put back after --minutes.",
        discussion: """
            Platform admins may set any logger; owners the loggers of their connectors' classes (the \
            class, its package, or below). Every change and refusal is audited.
              switchboard loggers get ingest
              switchboard loggers set ingest io.debezium.connector.postgresql DEBUG --minutes 30

            \(ServerExit.help)
            """,
        subcommands: [Get.self, SetLevel.self]
    )

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The loggers that have a level set, and the changes made through Switchboard.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The cluster.") var cluster: String

        func run() async throws {
            try await callingServer(server) { client in
                let body = try await client.send(.GET, "/api/v1/clusters/\(ServerClient.segment(cluster))/loggers")
                guard server.output == .text else { return Output.line(body) }
                let loggers = try ServerClient.decode(ClusterLoggers.self, body)
                Output.line("cluster \(loggers.cluster) runs Connect \(loggers.release)")
                Output.line(Table.render(header: ["LOGGER", "LEVEL"], rows: loggers.loggers.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
                let open = loggers.changes.filter(\.isOpen)
                if !open.isEmpty {
                    Output.line("set through Switchboard, put back later:")
                    let formatter = ISO8601DateFormatter()
                    for change in open { Output.line("  \(change.logger) \(change.level) by \(change.user); back to \(change.previous) at \(formatter.string(from: change.revertAt))") }
                }
            }
        }
    }

    struct SetLevel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set a logger's level on every worker of a cluster, for a while.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The cluster.") var cluster: String
        @Argument(help: "The logger: a Java package or class name, or root.") var logger: String
        @Argument(help: "The level: \(ConnectClient.logLevels.joined(separator: ", ")).") var level: String
        @Option(help: "Minutes until the previous level is put back (1 to \(LogLevelRequest.maxMinutes)).") var minutes = LogLevelRequest.defaultMinutes

        func validate() throws {
            guard ConnectClient.isLoggerName(logger) else { throw ValidationError("'\(logger)' is not a logger name: a Java package or class name (letters, digits, _ and $, in parts joined by dots), or root.") }
            guard ConnectClient.logLevels.contains(level.uppercased()) else { throw ValidationError("'\(level)' is not a level: \(ConnectClient.logLevels.joined(separator: ", ")).") }
            guard (1...LogLevelRequest.maxMinutes).contains(minutes) else { throw ValidationError("--minutes must be between 1 and \(LogLevelRequest.maxMinutes).") }
        }

        func run() async throws {
            try await callingServer(server) { client in
                let request = String(decoding: try JSONEncoder().encode(LogLevelRequest(level: level.uppercased(), minutes: minutes)), as: UTF8.self)
                let body = try await client.send(.PUT, "/api/v1/clusters/\(ServerClient.segment(cluster))/loggers/\(ServerClient.segment(logger))", json: request)
                guard server.output == .text else { return Output.line(body) }
                let change = try ServerClient.decode(LogLevelChange.self, body)
                Output.line("\(change.logger) on \(change.cluster) is \(change.level); \(change.previous) is put back at \(ISO8601DateFormatter().string(from: change.revertAt)).")
            }
        }
    }
}
