import ArgumentParser
import Foundation
import SwitchboardAPI

/// Connectors chosen by filters, for an action on each (`POST /api/v1/connectors/actions/{action}`).
struct Selection: ParsableArguments {
    @Option(help: "Every connector of this team.") var team: String?
    @Option(help: "... of this cluster.") var cluster: String?
    @Option(help: "... with this health: FAILED, DEGRADED, RUNNING, PAUSED, STOPPED, UNASSIGNED.") var state: String?
    @Option(help: "... whose name contains this.") var name: String?
    @Flag(help: "Say what would be done (and what you may not do); do nothing.") var dryRun = false

    static func help(_ example: String) -> String {
        """
        With filters instead of a connector, acts on every connector they select (at most \(500)), each \
        with your own role on it: the others are acted on, those you may not touch are refused and \
        audited. Writes go a few at a time with the retries of a single action.

        Example:
          switchboard connectors \(example) --dry-run

        \(ServerExit.help)
        """
    }

    var query: [(String, String)] {
        [("team", team), ("cluster", cluster), ("state", state), ("name", name)].compactMap { key, value in value.map { (key, $0) } }
    }

    func check(_ connector: ConnectorAddress?) throws {
        if connector != nil, !query.isEmpty { throw ValidationError("name a connector or give filters (--team, --cluster, --state, --name), not both.") }
        if connector == nil, query.isEmpty { throw ValidationError("name a connector as <cluster>/<name>, or select some with --team, --cluster, --state or --name. Nothing was done.") }
        if connector != nil, dryRun { throw ValidationError("--dry-run is for a selection.") }
    }

    /// Sends the action over the selection and prints what happened to each connector; exit 1
    /// when any was refused or failed.
    func act(_ verb: String, _ server: ServerOptions, query extra: [(String, String)] = []) async throws {
        try await callingServer(server) { client in
            let body = try await client.send(.POST, "/api/v1/connectors/actions/\(verb)", query: query + extra + [("dryRun", String(dryRun))])
            if server.output == .json {
                Output.line(body)
            } else {
                let answer = try ServerClient.decode(BulkActionAnswer.self, body)
                let rows = answer.results.map { ["\($0.cluster)/\($0.connector)", $0.result, $0.detail ?? ""] }
                Output.line(Table.render(header: ["CONNECTOR", dryRun ? "WOULD" : "RESULT", "DETAIL"], rows: rows))
                Output.line(dryRun ? "Dry run of \(answer.action): \(answer.done) would be done, \(answer.refused) refused. Nothing was done."
                                   : "\(answer.action) (bulk \(answer.bulk)): \(answer.done) done, \(answer.refused) refused, \(answer.failed) failed.")
            }
            let answer = try ServerClient.decode(BulkActionAnswer.self, body)
            if !answer.dryRun, answer.refused + answer.failed > 0 { throw ExitCode.failure }
        }
    }
}
