import ArgumentParser
import ConnectClient
import Foundation
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
            Connect before the first write. A connector marked `protect: true` is never deleted. \
            Writes run with bounded \
            concurrency; what Connect says is retryable (409 during a rebalance, a pending \
            rebalance, its request timeout) is retried after re-reading the connector. Then it \
            waits until every touched connector reaches its desired state, and ends with a summary. \
            Running it again converges: a plan right after shows no changes.

            Exit status: 0 everything applied, 1 something failed or did not reach its state.

            Examples:
              switchboard apply --catalog examples/catalog
              switchboard apply --catalog examples/catalog --auto-approve --parallelism 16
              switchboard apply --catalog examples/catalog --allow-mass-delete   # deletes meant
            """
    )

    @OptionGroup var options: CatalogOptions

    @Flag(help: "Apply without asking.")
    var autoApprove = false

    @Option(help: "Writes in flight at once.")
    var parallelism = 8

    @Option(help: "Seconds to wait for touched connectors to reach their desired state.")
    var waitTimeout = 180

    @Flag(help: "Apply even when the plan deletes more connectors than policy.maxDeletesPerApply.")
    var allowMassDelete = false

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1.") }
        guard waitTimeout >= 1 else { throw ValidationError("--wait-timeout must be at least 1 second.") }
    }

    func run() async throws {
        let (catalog, connections, plan) = try await PlanCommand.loadAndPlan(options)
        print(PlanRenderer.render(plan, deleteLimit: catalog.policy.maxDeletesPerApply))
        guard plan.hasChanges else { return }
        // A write is retried (409s, a rebalance, a worker that does not answer) for up to twice
        // the network timeout; a cluster that stays unreachable while waiting fails its changes.
        let applier = Applier(connections: connections, options: .init(parallelism: parallelism, waitTimeout: .seconds(waitTimeout), retry: RetryPolicy(maxElapsed: options.networkTimeout * 2),
                                                                      allowMassDelete: allowMassDelete, unreachableGrace: options.networkTimeout))
        // The guards first: no question is asked about a plan that would be refused anyway.
        Output.step("Checking the plan: the deletion limit, and Connect's validation of every connector to create or update")
        try await Output.guarding { try await applier.preflight(plan, catalog: catalog) }
        if !autoApprove {
            try confirm()
        }
        print("\nApplying \(plan.changes.count) change(s) with up to \(parallelism) at once...")
        let outcomes = await applier.write(plan, catalog: catalog) { event in
            switch event {
            case .writing: break
            case .retrying(let change, let reason, let attempt):
                Output.step("\(change.connector): Connect asked to retry (\(reason)); attempt \(attempt + 1)")
            case .waiting(let count):
                Output.step("Waiting for \(count) connector(s) to reach their desired state")
            case .finished(let outcome):
                Output.step(Self.describe(outcome))
            }
        }
        let failed = outcomes.filter { $0.result != .applied }
        print("\nApplied \(outcomes.count - failed.count) of \(outcomes.count) change(s).")
        if !failed.isEmpty {
            print("Not applied:")
            for outcome in failed { print("  \(Self.describe(outcome))") }
            throw ExitCode.failure
        }
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
        }
    }
}
