import ArgumentParser
import ConnectClient
import Foundation
import Outbound
import Reconciler
import SwitchboardCore

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the plan: create, update, pause/resume/stop and delete connectors until the clusters match the catalog.",
        discussion: """
            Shows the plan and asks for confirmation (unless --auto-approve). Nothing is written when \
            the catalog has problems, any cluster is unreachable, the plan deletes more connectors \
            than policy.maxDeletesPerApply (default 5; --allow-mass-delete to go ahead), or Connect \
            rejects the config of any connector to create or update: every one is validated by \
            Connect before the first write; nor, under policy.impact.crossTeam: require-approval, when \
            the plan stops or changes the input of another team's connector and that team is not \
            named by --approve-impact team:<name>. A connector marked `protect: true` is never deleted. \
            Writes to each cluster run with the concurrency \
            that cluster sustains, found as apply goes: it starts at 8 writes in flight (half of \
            --max-parallelism when they are all deletes, which start no task), grows while \
            completed writes per second improve, falls back when they drop (rebalance storms) and \
            halves when Connect asks for retries, shrinks before answers near --write-timeout \
            (90 s; the leader queues writes, so waits grow with the concurrency), never above \
            --max-parallelism (64); \
            --parallelism N pins it at N. What Connect says is retryable (409 during a rebalance, a \
            pending rebalance, its request timeout) is retried after re-reading the connector. \
            Progress shows writes done, the concurrency and the time left. Then it waits until \
            every touched connector reaches its desired state, and ends with a summary (with \
            --output json: the outcomes and each cluster's writes as JSON on stdout, progress on \
            stderr). Running it again converges: a plan right after shows no changes.

            Exit status: 0 everything applied, 1 something failed or did not reach its state.

            Examples:
              switchboard apply --catalog examples/catalog
              switchboard apply --catalog examples/catalog --auto-approve --output json
              switchboard apply --catalog examples/catalog --auto-approve --parallelism 16   # pinned
              switchboard apply --catalog examples/catalog --allow-mass-delete   # deletes meant
              switchboard apply --catalog examples/catalog --approve-impact team:analytics
            """
    )

    @OptionGroup var options: CatalogOptions

    @Flag(help: "Apply without asking.")
    var autoApprove = false

    @Option(help: "Pin the writes in flight on each cluster at N (default: found as apply goes).")
    var parallelism: Int?

    @Option(help: "The most writes in flight on one cluster when the concurrency is found as apply goes.")
    var maxParallelism = 64

    @Option(help: "text, or json for a summary on stdout (progress goes to stderr).")
    var output: OutputFormat = .text

    @Option(help: "Seconds one write request may take (Connect answers a write it could not finish after 90 s itself; reads keep --timeout).")
    var writeTimeout = 90

    @Option(help: "Seconds to wait for touched connectors to reach their desired state.")
    var waitTimeout = 180

    @Flag(help: "Apply even when the plan deletes more connectors than policy.maxDeletesPerApply.")
    var allowMassDelete = false

    @Option(name: .customLong("approve-impact"), help: ArgumentHelp("A team whose connectors lose or change their input and who agreed (team:analytics; repeat for more). Needed for each affected team under policy.impact.crossTeam: require-approval.", valueName: "team:name"))
    var approvedImpact: [String] = []

    func validate() throws {
        let most = HTTPPolicy.maxConnectionsPerHost
        guard (1...most).contains(parallelism ?? 1) else { throw ValidationError("--parallelism must be between 1 and \(most) (connections to one worker at once). Nothing was applied.") }
        guard (1...most).contains(maxParallelism) else { throw ValidationError("--max-parallelism must be between 1 and \(most) (connections to one worker at once). Nothing was applied.") }
        guard writeTimeout >= 1 else { throw ValidationError("--write-timeout must be at least 1 second. Nothing was applied.") }
        guard waitTimeout >= 1 else { throw ValidationError("--wait-timeout must be at least 1 second. Nothing was applied.") }
    }

    /// How many writes each cluster gets in flight.
    var writes: WriteWindow.Mode {
        parallelism.map { .pinned($0) } ?? .adaptive(initial: min(8, maxParallelism), ceiling: maxParallelism)
    }

    /// What `--output json` prints at the end.
    struct Summary: Encodable {
        struct Result: Encodable {
            var cluster: String
            var connector: String
            var action: String
            var result: String
            var detail: String?
        }
        var changes: Int
        var applied: Int
        var results: [Result]
        var writes: [Applier.WriteSummary]
    }

    func run() async throws {
        let json = output == .json
        // With --output json, stdout holds the summary alone; people read the rest on stderr.
        let say: @Sendable (String) -> Void
        if json {
            say = { text in Output.standardError(text) }
        } else {
            say = { text in Output.line(text) }
        }
        let approvedTeams = try Output.guarding { try ImpactApproval.teams(approvedImpact) }
        let (catalog, connections, plan) = try await PlanCommand.loadAndPlan(options)
        say(PlanRenderer.render(plan, deleteLimit: catalog.policy.maxDeletesPerApply))
        try Output.guarding { try ImpactApproval.check(plan.impact, rule: catalog.policy.crossTeamImpact, approved: approvedTeams) }
        guard plan.hasChanges else {
            if json { print(try JSONWriter.pretty(Summary(changes: 0, applied: 0, results: [], writes: []))) }
            return
        }
        // A write is retried (409s, a rebalance, a worker that does not answer) for up to twice
        // the network timeout, so a dead cluster fails fast; one attempt may take the write
        // timeout. A cluster that stays unreachable while waiting fails its changes.
        let applier = Applier(connections: connections, options: .init(writes: writes, writeTimeout: .seconds(writeTimeout), waitTimeout: .seconds(waitTimeout),
                                                                      retry: .writes(within: options.networkTimeout * 2),
                                                                      allowMassDelete: allowMassDelete, unreachableGrace: options.networkTimeout))
        // The guards first: no question is asked about a plan that would be refused anyway.
        say("==> Checking the plan: the deletion limit, and Connect's validation of every connector to create or update")
        try await Output.guarding { try await applier.preflight(plan, catalog: catalog) }
        if !autoApprove {
            try confirm()
        }
        switch writes {
        case .pinned(let count): say("\nApplying \(plan.changes.count) change(s), \(count) at once on each cluster...")
        case .adaptive(let initial, let ceiling): say("\nApplying \(plan.changes.count) change(s), starting at \(initial) at once on each cluster (at most \(ceiling))...")
        }
        let summaries = Collected<Applier.WriteSummary>()
        let outcomes = await applier.write(plan, catalog: catalog) { event in
            switch event {
            case .writing: break
            case .retrying(let change, let reason, let attempt):
                say("==> \(change.connector): Connect asked to retry (\(reason)); attempt \(attempt + 1)")
            case .progress(let progress):
                say("==> \(Self.describe(progress))")
            case .written(let summary):
                summaries.append(summary)
            case .waiting(let count):
                say("==> Waiting for \(count) connector(s) to reach their desired state")
            case .finished(let outcome):
                say("==> \(Self.describe(outcome))")
            }
        }
        let failed = outcomes.filter { $0.result != .applied }
        try report(outcomes, failed: failed, writes: summaries.values, json: json)
        if !failed.isEmpty { throw ExitCode.failure }
    }

    /// The summary: JSON on stdout with --output json, else a line and what was not applied.
    func report(_ outcomes: [Applier.Outcome], failed: [Applier.Outcome], writes: [Applier.WriteSummary], json: Bool) throws {
        guard json else {
            print("\nApplied \(outcomes.count - failed.count) of \(outcomes.count) change(s).")
            if !failed.isEmpty {
                print("Not applied:")
                for outcome in failed { print("  \(Self.describe(outcome))") }
            }
            return
        }
        let results = outcomes.map { outcome -> Summary.Result in
            let change = outcome.change
            let (result, detail) = outcome.recorded
            return Summary.Result(cluster: change.cluster, connector: change.connector, action: change.action.rawValue, result: result, detail: detail)
        }
        print(try JSONWriter.pretty(Summary(changes: outcomes.count, applied: outcomes.count - failed.count, results: results,
                                            writes: writes.sorted { $0.cluster < $1.cluster })))
    }

    static func describe(_ progress: Applier.WriteProgress) -> String {
        let left = progress.done == progress.total ? "" : progress.estimatedLeft.map { ", about \(Self.duration($0)) left" } ?? ""
        return "\(progress.cluster): \(progress.done)/\(progress.total) written, \(progress.concurrency) at once\(left)"
    }

    /// `1m 20s`, `45s`.
    static func duration(_ duration: Duration) -> String {
        let seconds = Int(duration.inSeconds.rounded())
        return seconds >= 60 ? "\(seconds / 60)m \(seconds % 60)s" : "\(seconds)s"
    }

    func confirm() throws {
        guard isatty(STDIN_FILENO) != 0 else {
            Output.error("apply needs confirmation, but input is not a terminal; pass --auto-approve to apply without asking. Nothing was applied.")
            throw ExitCode.failure
        }
        print("\nApply these changes? Only 'yes' is accepted: ", terminator: "")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            print("Cancelled; nothing was applied.")
            throw ExitCode.failure
        }
    }

    static func describe(_ outcome: Applier.Outcome) -> String {
        let change = outcome.change
        let what = "\(change.cluster)/\(change.connector) (\(change.action.rawValue))"
        switch outcome.result {
        case .applied:
            return "\(what): done" + (change.toState.map { ", \($0.rawValue)" } ?? "")
        case .failed(let reason):
            return "\(what): FAILED: \(reason)"
        case .timedOut(let state):
            return "\(what): did not reach \(change.toState?.rawValue ?? "its state") in time (last seen: \(state ?? "no status"))"
        case .interrupted(let known):
            return "\(what): INTERRUPTED: \(known)"
        }
    }
}

/// Values handed over from concurrent callbacks (apply's per-cluster write summaries).
final class Collected<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Value] = []

    func append(_ value: Value) {
        lock.withLock { items.append(value) }
    }

    var values: [Value] { lock.withLock { items } }
}
