import ArgumentParser
import Foundation
import SwitchboardLogging

/// The command line: parses and runs one command. The `switchboard` executable calls
/// ``run(_:)`` with its arguments and exits with the code it returns; tests call it with
/// arguments of their own inside ``Output/capturing(_:)``.
public enum SwitchboardCommandLine {
    /// Sets up logging (through the scrubber, at `$SWITCHBOARD_LOG_LEVEL`) once per process.
    public static func bootstrap() {
        ScrubbingLogHandler.bootstrap()
    }

    /// Ctrl-C (SIGINT) ends every command but `serve` at once with exit code 130 and one line on
    /// standard error (`serve` stops gracefully instead: see `serve --help`). Called by the
    /// executable before ``run(_:)``; never by tests, which run commands in their own process.
    public static func exitOnInterrupt(_ arguments: [String]) {
        guard arguments.first != "serve" else { return }
        let command = arguments.first.map { " \($0)" } ?? ""
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            Output.standardError("switchboard\(command): interrupted (Ctrl-C); stopped at once. What was already written stays written.")
            exit(130)
        }
        source.resume()
        interruptSource = source
    }

    /// Kept for the life of the process: a signal source that is released stops delivering.
    /// Set once, before any command runs.
    nonisolated(unsafe) private static var interruptSource: (any DispatchSourceSignal)?

    /// Parses and runs `arguments` (without the program's name); returns the exit code. What
    /// swift-argument-parser would print itself (help, usage errors, which can echo an argument)
    /// goes through ``Output`` like everything else.
    public static func run(_ arguments: [String]) async -> Int32 {
        do {
            var command = try Switchboard.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            let code = Switchboard.exitCode(for: error)
            let message = Switchboard.fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { Output.line(message) } else { Output.standardError(message) }
            }
            return code.rawValue
        }
    }
}

struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A self-serve control plane for Apache Kafka Connect.",
        discussion: """
            Teams keep their connectors as YAML in a catalog; Switchboard checks them against \
            platform policy, plans the change against the running Connect clusters and applies it.

            Start here:
              switchboard dev up                                # a local broker and Connect cluster
              switchboard validate --catalog examples/catalog   # check the catalog against policy
              switchboard plan --catalog examples/catalog       # what would change
              switchboard apply --catalog examples/catalog      # make the clusters match
              switchboard serve --catalog examples/catalog --users-file examples/users.yaml   # the web UI
              switchboard connectors list --state FAILED        # on call, through the server (SWITCHBOARD_TOKEN)
            """,
        subcommands: [Validate.self, PlanCommand.self, Apply.self, New.self, UpgradeCheckCommand.self, Serve.self, Connectors.self, Offsets.self, DeadLettersCommand.self, Loggers.self, Plugins.self, Render.self, Users.self, Dev.self]
    )
}
