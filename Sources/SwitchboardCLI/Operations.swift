import ArgumentParser
import ConnectClient
import Foundation
import NIOHTTP1
import SwitchboardAPI
import SwitchboardCore

/// A connector named `<cluster>/<name>` on the command line.
struct ConnectorAddress: ExpressibleByArgument {
    var cluster: String
    var name: String

    init?(argument: String) {
        let parts = argument.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        cluster = parts[0]
        name = parts[1]
    }

    var path: String { "/api/v1/clusters/\(ServerClient.segment(cluster))/connectors/\(ServerClient.segment(name))" }
    var description: String { "\(cluster)/\(name)" }
}

/// Runs `body` against the server; a failure is one line on stderr and its exit code.
func callingServer(_ options: ServerOptions, _ body: (ServerClient) async throws -> Void) async throws {
    let client = try options.client()
    do {
        try await body(client)
    } catch let failure as ServerClient.Failure {
        Output.error(failure.message)
        throw ExitCode(failure.code)
    }
}

struct Connectors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect and act on connectors through Switchboard's server (its roles and audit log apply).",
        discussion: """
            Uses a personal API token (make one on the server's API tokens page):
              export SWITCHBOARD_SERVER=https://switchboard.example.com
              read -rs SWITCHBOARD_TOKEN && export SWITCHBOARD_TOKEN   # paste it: not in history
              switchboard connectors list --state FAILED
              switchboard connectors describe ingest/payments_orders
              switchboard connectors restart ingest/payments_orders --include-tasks --only-failed

            \(ServerExit.help)
            """,
        subcommands: [List.self, Describe.self, Restart.self, Pause.self, Resume.self, Stop.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Connectors over every cluster, failed and degraded first.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Option(help: "Only this team's.") var team: String?
        @Option(help: "Only this cluster's.") var cluster: String?
        @Option(help: "Only this health: FAILED (also running with no task running), DEGRADED, RUNNING, PAUSED, STOPPED.") var state: String?
        @Option(help: "Only names containing this.") var name: String?

        func run() async throws {
            try await callingServer(server) { client in
                let query = [("team", team), ("cluster", cluster), ("state", state), ("name", name)].compactMap { key, value in value.map { (key, $0) } } + [("limit", "5000")]
                let body = try await client.send(.GET, "/api/v1/connectors", query: query)
                guard server.output == .text else { return Output.line(body) }
                let page = try ServerClient.decode(ConnectorList.self, body)
                let rows = page.connectors.map { [$0.cluster + "/" + $0.name, $0.team ?? "-", $0.health + ($0.autoRestart?.gaveUp == true ? " (auto-restart gave up)" : ""), "\($0.tasksRunning)/\($0.tasksTotal)",
                                                  $0.cause.map { $0.count > 120 ? String($0.prefix(119)) + "…" : $0 } ?? ""] }
                Output.line(Table.render(header: ["CONNECTOR", "TEAM", "HEALTH", "TASKS", "WHY"], rows: rows))
                if page.total > page.connectors.count { Output.line("(\(page.connectors.count) of \(page.total) shown)") }
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One connector: state, tasks, config (as your role shows it), recent audit.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name>.") var connector: ConnectorAddress

        func run() async throws {
            try await callingServer(server) { client in
                let body = try await client.send(.GET, connector.path)
                guard server.output == .text else { return Output.line(body) }
                let detail = try ServerClient.decode(ConnectorDetail.self, body)
                let c = detail.connector
                Output.line("\(c.cluster)/\(c.name): \(c.state), team \(c.team ?? "-"), class \(c.connectorClass ?? "-"), worker \(c.worker ?? "-")")
                Output.line("your role: \(detail.role.rawValue) (\(detail.capabilities.map(\.rawValue).joined(separator: ", ")))")
                if let cause = c.cause { Output.line("why: \(cause)") }
                if let trace = c.trace { Output.line("connector failure:\n\(trace)") }
                Output.line(Table.render(header: ["TASK", "STATE", "WORKER"], rows: c.tasks.map { [String($0.id), $0.state, $0.worker ?? "-"] }))
                for task in c.tasks { if let trace = task.trace { Output.line("task \(task.id) failure:\n\(trace)") } }
                if detail.capabilities.contains(.viewConfig) {
                    Output.line("config:")
                    for (key, value) in c.config.sorted(by: { $0.key < $1.key }) { Output.line("  \(key) = \(value)") }
                }
                if !detail.audit.isEmpty {
                    Output.line("recent actions:")
                    let formatter = ISO8601DateFormatter()
                    for row in detail.audit.prefix(10) { Output.line("  \(formatter.string(from: row.at))  \(row.user)  \(row.action)  \(row.outcome.rawValue)\(row.detail.map { "  \($0)" } ?? "")") }
                }
            }
        }
    }

    /// pause, resume and stop: the same call with another verb.
    static func act(_ verb: String, _ connector: ConnectorAddress, _ server: ServerOptions, query: [(String, String)] = [], path: String? = nil) async throws {
        try await callingServer(server) { client in
            let body = try await client.send(.POST, path ?? "\(connector.path)/actions/\(verb)", query: query)
            Output.line(server.output == .json ? body : "\(verb) of \(connector.description) was sent to Connect.")
        }
    }

    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restart a connector (with its tasks or its failed tasks), one task, or every connector of a selection.",
                                                         discussion: Selection.help("restart --team payments --state FAILED --include-tasks --only-failed"))
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name> (or a selection: see below).") var connector: ConnectorAddress?
        @OptionGroup var selection: Selection
        @Flag(help: "Restart its tasks too.") var includeTasks = false
        @Flag(help: "Only what failed (with --include-tasks: only the failed tasks).") var onlyFailed = false
        @Option(help: "Restart this one task instead.") var task: Int?

        func validate() throws {
            try selection.check(connector)
            if task != nil, includeTasks || onlyFailed { throw ValidationError("--task restarts one task; leave out --include-tasks and --only-failed.") }
            if task != nil, connector == nil { throw ValidationError("--task restarts one task of one connector: name it as <cluster>/<name>.") }
            if let task, task < 0 { throw ValidationError("--task is a task id such as 0.") }
        }

        func run() async throws {
            let flags = [("includeTasks", String(includeTasks)), ("onlyFailed", String(onlyFailed))]
            guard let connector else { return try await selection.act("restart", server, query: flags) }
            if let task {
                try await Connectors.act("restart", connector, server, path: "\(connector.path)/tasks/\(task)/restart")
            } else {
                try await Connectors.act("restart", connector, server, query: flags)
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a connector and its tasks, or every connector of a selection.", discussion: Selection.help("pause --cluster analytics --state RUNNING"))
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name> (or a selection: see below).") var connector: ConnectorAddress?
        @OptionGroup var selection: Selection
        func validate() throws { try selection.check(connector) }
        func run() async throws { try await Connectors.act("pause", connector, selection, server) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused or stopped connector, or every connector of a selection.", discussion: Selection.help("resume --team payments --state PAUSED"))
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name> (or a selection: see below).") var connector: ConnectorAddress?
        @OptionGroup var selection: Selection
        func validate() throws { try selection.check(connector) }
        func run() async throws { try await Connectors.act("resume", connector, selection, server) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a connector (its tasks are removed; needed before changing offsets), or every connector of a selection.",
                                                         discussion: Selection.help("stop --team payments --name legacy-"))
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name> (or a selection: see below).") var connector: ConnectorAddress?
        @OptionGroup var selection: Selection
        func validate() throws { try selection.check(connector) }
        func run() async throws { try await Connectors.act("stop", connector, selection, server) }
    }

    /// One connector, or the selection.
    static func act(_ verb: String, _ connector: ConnectorAddress?, _ selection: Selection, _ server: ServerOptions) async throws {
        if let connector { try await act(verb, connector, server) } else { try await selection.act(verb, server) }
    }
}

struct Offsets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, reset or alter a connector's offsets (KIP-875) through Switchboard's server.",
        discussion: """
            Reset and alter need the owner role (a cluster can ask for admin) and a STOPPED connector:
              switchboard connectors stop ingest/payments_orders
              switchboard offsets reset ingest/payments_orders --yes
              switchboard connectors resume ingest/payments_orders
            The audit log keeps the offsets before and after.

            \(ServerExit.help)
            """,
        subcommands: [Get.self, Reset.self, Alter.self]
    )

    static func printChange(_ body: String, _ server: ServerOptions, _ what: String) {
        guard server.output == .text else { return Output.line(body) }
        let change = (try? JSONReader.decode(ActionDone.self, from: body))?.offsets  // an answer without offsets: said plainly below
        Output.line("\(what): \(change?.message ?? "done")")
        if let change {
            Output.line("before: \(change.before.json)")
            Output.line("after:  \(change.after?.json ?? "(could not be read back)")")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A connector's offsets: a sink's per topic-partition, a source's as its own maps.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name>.") var connector: ConnectorAddress

        func run() async throws {
            try await callingServer(server) { client in
                let body = try await client.send(.GET, "\(connector.path)/offsets")
                guard server.output == .text else { return Output.line(body) }
                let offsets = try ServerClient.decode(ConnectorOffsets.self, body)
                if offsets.offsets.isEmpty { return Output.line("no offsets committed") }
                if offsets.offsets.allSatisfy({ $0.sinkPosition != nil }) {
                    let rows = offsets.offsets.compactMap(\.sinkPosition).sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
                        .map { [$0.topic, String($0.partition), $0.offset.map(String.init) ?? "-"] }
                    Output.line(Table.render(header: ["TOPIC", "PARTITION", "OFFSET"], rows: rows))
                } else {
                    Output.line(Table.render(header: ["PARTITION", "OFFSET"], rows: offsets.offsets.map { [ConnectorOffsets.compact($0.partition), ConnectorOffsets.compact($0.offset)] }))
                }
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every offset of a STOPPED connector: a source re-reads from the start.", discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name>.") var connector: ConnectorAddress
        @Flag(help: "Yes, reset them (required: the change cannot be undone).") var yes = false

        func validate() throws {
            if !yes { throw ValidationError("A reset cannot be undone: add --yes to reset the offsets of the connector.") }
        }

        func run() async throws {
            try await callingServer(server) { client in
                Offsets.printChange(try await client.send(.DELETE, "\(connector.path)/offsets"), server, "offsets of \(connector.description) reset")
            }
        }
    }

    struct Alter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the offsets of the partitions in a file (as `offsets get --output json` prints them) on a STOPPED connector.",
                                                        discussion: ServerExit.help)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The connector, as <cluster>/<name>.") var connector: ConnectorAddress
        @Option(help: ArgumentHelp("The offsets: {\"offsets\": [{\"partition\": {...}, \"offset\": {...}}]}; - reads standard input.", valueName: "path")) var file: String

        func run() async throws {
            let text: String
            do {
                text = file == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                Output.error("cannot read \(file): \(error.localizedDescription)")
                throw ExitCode(ServerExit.badInput)
            }
            let offsets: ConnectorOffsets
            do {
                offsets = try ConnectorOffsets.parse(text)
            } catch {
                Output.error("\(file): \(error)")
                throw ExitCode(ServerExit.badInput)
            }
            try await callingServer(server) { client in
                Offsets.printChange(try await client.send(.PATCH, "\(connector.path)/offsets", json: offsets.json), server, "offsets of \(connector.description) altered")
            }
        }
    }
}
