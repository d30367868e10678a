import ArgumentParser
import Foundation
import SwitchboardAPI
import SwitchboardCore

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletters",
        abstract: "What a sink could not write: its dead-letter queue, through Switchboard's server (its roles apply).",
        discussion: """
            A sink with errors.tolerance=all and errors.deadletterqueue.topic.name set skips a record it cannot \
            convert, transform or write and sends it to that topic; with \
            errors.deadletterqueue.context.headers.enable=true Connect adds why in the record's headers.
              switchboard deadletters get ingest/analytics_orders-archive
              switchboard deadletters get ingest/analytics_orders-archive --output json
            Everyone who may see the connector gets the count; readers and above also get the newest \
            records' errors (never the records' keys or values).

            \(ServerExit.help)
            """,
        subcommands: [Get.self]
    )

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A sink's dead letters: how many, how fast they come, and the newest ones' errors.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The sink, as <cluster>/<name>.") var connector: ConnectorAddress

        func run() async throws {
            try await callingServer(server) { client in
                let body = try await client.send(.GET, "\(connector.path)/dead-letters")
                guard server.output == .text else { return Output.line(body) }
                Output.line(Self.text(try ServerClient.decode(DeadLetters.self, body)))
            }
        }

        /// The answer for people: the count line, then a row per record.
        static func text(_ answer: DeadLetters) -> String {
            let growth = answer.perMinute.map { ", \(String(format: "%.1f", $0)) a minute" } ?? ""
            var lines = ["\(answer.cluster)/\(answer.connector): \(answer.records.map { "\($0) record(s)" } ?? "not read yet") in \(answer.topic)\(growth)"]
            if let note = answer.recentNote { lines.append(note) }
            if let recent = answer.recent, !recent.isEmpty {
                let formatter = ISO8601DateFormatter()
                let rows = recent.map { record in
                    [record.at.map { formatter.string(from: $0) } ?? "-",
                     record.originalTopic.map { "\($0)[\(record.originalPartition.map(String.init) ?? "?")]@\(record.originalOffset.map(String.init) ?? "?")" } ?? "-",
                     record.stage ?? "-",
                     [record.exceptionClass, record.exceptionMessage].compactMap { $0 }.joined(separator: ": ").prefix(160).description,
                     record.cause ?? "-"]
                }
                lines.append(Table.render(header: ["WHEN", "FROM", "STAGE", "ERROR", "WHY"], rows: rows))
            }
            return lines.joined(separator: "\n")
        }
    }
}
