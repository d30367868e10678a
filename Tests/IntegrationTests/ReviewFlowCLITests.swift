import Foundation
import StackTesting
import TestSupport
import Testing
import Yams

/// The review flow through the built CLI: the example CI workflow's own commands against a
/// real cluster, the markdown plan without a planted secret, and `render codeowners`.
@Suite("Review flow through the CLI", .tags(.realStack))
struct ReviewFlowCLITests {
    /// The `run:` scripts of examples/ci/github-actions.yml, by step name.
    static func workflowSteps() throws -> [String: String] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/ci/github-actions.yml").standardizedFileURL
        let workflow = try Yams.load(yaml: try String(contentsOf: file, encoding: .utf8)) as? [String: Any]
        let steps = ((workflow?["jobs"] as? [String: Any])?["plan"] as? [String: Any])?["steps"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: steps.compactMap { step in
            (step["name"] as? String).flatMap { name in (step["run"] as? String).map { (name, $0) } }
        })
    }

    @Test func theExampleWorkflowsCommandsValidateAndPostAMarkdownPlan() async throws {
        try await TestStack.shared.up()
        let secret = "Planted-\(UInt32.random(in: 0...UInt32.max))-pw"
        let live = try LiveCatalog(plantedSecret: secret)
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "alpha")
        let steps = try Self.workflowSteps()
        #expect(steps["Validate"] == "switchboard validate")
        let plan = try #require(steps["Plan"])
        #expect(plan.contains("switchboard plan --output markdown --detailed-exitcode > plan.md"))

        // The workflow runs in the catalog's folder with SWITCHBOARD_CATALOG=.; the same here.
        let environment = live.environment.merging(["SWITCHBOARD_CATALOG": live.root]) { $1 }
        let validated = try await CLI.run(["validate"], environment: environment)
        #expect(validated.status == 0, "\(validated.stderr)")
        let planned = try await CLI.run(["plan", "--output", "markdown", "--detailed-exitcode"], environment: environment)
        #expect(planned.status == 2, "changes: \(planned.stderr)")
        #expect(planned.stdout.hasPrefix("### Switchboard plan\n"))
        #expect(planned.stdout.contains("| create | `\(live.team)_orders` | create, running |"), "\(planned.stdout)")
        #expect(!(planned.stdout + planned.stderr).contains(secret))
    }

    @Test func codeownersComeFromTheCatalog() async throws {
        let live = try LiveCatalog(teamYAML: { team in team.hasPrefix("pay-") ? "members: [alice]\nreviewers: [\"@acme/payments\"]\n" : "members: [carol]\n" })
        let result = try await CLI.run(["render", "codeowners", "--catalog", live.root, "--prefix", "catalog"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/catalog/teams/\(live.team)/ @acme/payments\n"), "\(result.stdout)")
        #expect(result.stderr.contains("team \(live.otherTeam) names no reviewers"))
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("owners-\(UUID().uuidString)/CODEOWNERS")
        #expect(try await CLI.run(["render", "codeowners", "--catalog", live.root, "--out", out.path]).status == 0)
        #expect(try String(contentsOf: out, encoding: .utf8).contains("/teams/\(live.team)/ @acme/payments"))
    }
}

/// `serve --git-repository` refuses what cannot work, before listening.
@Suite("GitOps flags of serve")
struct GitOpsServeFlagsTests {
    @Test func conflictingOrOrphanFlagsAreUsageErrors() async throws {
        for (arguments, expected) in [
            (["--catalog", "examples/catalog", "--git-repository", "/tmp/x"], "either --catalog"),
            (["--git-branch", "prod"], "--git-branch is for a server that follows a repository"),
            (["--git-repository", " "], "the repository is empty"),
            (["--git-repository=--upload-pack=touch /tmp/sb-pwned"], "starts with '-'"),
            (["--git-repository", "ext::sh -c touch% /tmp/sb-pwned"], "remote helper"),
            (["--git-repository", "/tmp/x", "--git-branch", "main..x"], "not a branch name"),
            (["--git-repository", "/tmp/x", "--git-branch=-b"], "not a branch name"),
            (["--git-repository", "/tmp/x", "--sync-interval", "1"], "--sync-interval must be at least 5"),
            // The data-flow flags, checked the same way (docs/data-flow.md).
            (["--catalog", "examples/catalog", "--prometheus-url", "ftp://prometheus:9090"], "--prometheus-url: 'ftp://prometheus:9090' is not an http(s) URL"),
            (["--catalog", "examples/catalog", "--prometheus-url", "http://sb:planted-tok-77@prometheus:9090?x=1"], "must not have a query"),
            (["--catalog", "examples/catalog", "--history-resolution", "0"], "--history-resolution must be between 1 and 3600"),
        ] {
            let result = try await CLI.run(["serve", "--insecure-dev"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("planted-tok-77"), "a URL's password is never echoed")
        }
    }

    @Test func aRepositoryThatCannotBeFetchedEndsServeWithGitsReason() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-repo-\(UUID().uuidString)").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        let result = try await CLI.run(["serve", "--users-file", TestStack.projectRoot.appendingPathComponent("examples/users.yaml").path, "--git-repository", "https://sb:planted-tok-55@127.0.0.1:9/x.git",
                                        "--gitops-state", state, "--audit-db", state + "/audit.sqlite", "--port", "18999"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot serve the repository") && result.stderr.contains("there is no good commit to serve"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("planted-tok-55"))
        let other = try await CLI.run(["serve", "--users-file", TestStack.projectRoot.appendingPathComponent("examples/users.yaml").path, "--git-repository", missing, "--gitops-state", state + "-2",
                                       "--audit-db", state + "/audit2.sqlite", "--port", "18999"])
        #expect(other.status == 1 && other.stderr.contains("fetch branch main of \(missing)"), "\(other.stderr)")
    }
}
