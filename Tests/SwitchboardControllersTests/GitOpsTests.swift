import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Reconciler
import ServerTesting
@testable import SwitchboardAPI
@testable import SwitchboardControllers
@testable import SwitchboardMetrics
import SwitchboardServer
@testable import SwitchboardSnapshot
@testable import SwitchboardStorage
@testable import SwitchboardWeb
import TestSupport
import SwitchboardCore
import Testing

/// The git side of the GitOps controller against real local repositories (the Connect side is
/// in the integration tests): fetching, refusing a bad commit, starting from the last good one,
/// deadlines, scrubbing, and the webhook's signature.
@Suite("GitOps")
struct GitOpsTests {
    /// A catalog whose only cluster refuses connections (nothing here reaches Connect).
    static func catalog(tasks: Int = 1, extra: String = "") -> [String: String] {
        [
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: http://127.0.0.1:1\n    gitops:\n      mode: manual\nadmins:\n  groups: [platform]\npolicy:\n  maxTasks: 4\n\(extra)",
            "teams/payments/team.yaml": "members: [alice]\n",
            "teams/payments/connectors/orders.yaml": "name: orders\ncluster: ingest\nclass: org.example.Sink\ntasks: \(tasks)\nconfig:\n  topics: orders\n",
        ]
    }

    static func remote(_ files: [String: String], message: String = "First catalog") async throws -> (GitRemote, String) {
        let remote = try await GitRemote()
        for (path, content) in files { try remote.write(path, content) }
        return (remote, try await remote.commitAndPush(message))
    }

    static func repository(_ remote: GitRemote, deadline: Duration = .seconds(60)) -> GitRepository {
        GitRepository(url: remote.bare.path, branch: remote.branch, stateFolder: FileManager.default.temporaryDirectory.appendingPathComponent("gitops-\(UUID().uuidString)"), deadline: deadline)
    }

    @Test func fetchesDescribesAndChecksOutCommits() async throws {
        let (remote, first) = try await Self.remote(Self.catalog(), message: "Add orders sink")
        let repository = Self.repository(remote)
        let commit = try await repository.fetch()
        #expect(commit.hash == first)
        #expect(commit.author == "Ana" && commit.subject == "Add orders sink")
        let folder = try await repository.checkout(commit)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("teams/payments/connectors/orders.yaml").path))

        try remote.write("README.md", "x\n")
        try await remote.commitAndPush("Second", author: "Bo")
        try remote.write("README.md", "y\n")
        let third = try await remote.commitAndPush("Third", author: "Bo")
        #expect(try await repository.fetch().hash == third)
        #expect(try await repository.count(from: first, to: third) == 2)
    }

    @Test func aFolderOutsideTheRepositoryIsRefused() async throws {
        let (remote, _) = try await Self.remote(Self.catalog())
        var repository = Self.repository(remote)
        repository.folder = "../../etc"
        let commit = try await repository.fetch()
        await #expect(throws: GitRepository.Failure.self) { try await repository.checkout(commit) }
        repository.folder = "catalog"
        do {
            _ = try await repository.checkout(commit)
            Issue.record("checked out a folder the commit does not have")
        } catch {
            #expect(error.description.contains("has no folder 'catalog'"), "\(error)")
        }
    }

    @Test func aRepositoryThatIsNotThereSaysWhatWasTried() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("nothing-\(UUID().uuidString)").path
        let repository = GitRepository(url: missing, stateFolder: FileManager.default.temporaryDirectory.appendingPathComponent("gitops-\(UUID().uuidString)"))
        do {
            _ = try await repository.fetch()
            Issue.record("fetched a repository that does not exist")
        } catch {
            #expect(error.description.contains("fetch branch main of \(missing)"), "\(error)")
        }
    }

    @Test(arguments: [
        ("--upload-pack=touch /tmp/sb-pwned", "main", "starts with '-'"),
        ("ext::sh -c touch% /tmp/sb-pwned", "main", "remote helper"),
        ("/tmp/x", "--orphan", "not a branch name"),
        ("/tmp/x", "a b", "not a branch name"),
        ("/tmp/x", "main..x", "not a branch name"),
    ])
    func argumentsGitWouldReadAsOptionsOrCommandsAreRefused(url: String, branch: String, expected: String) async throws {
        let repository = GitRepository(url: url, branch: branch, stateFolder: FileManager.default.temporaryDirectory.appendingPathComponent("gitops-\(UUID().uuidString)"))
        do {
            _ = try await repository.fetch()
            Issue.record("fetched \(url) \(branch)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/sb-pwned"))
        #expect(GitRepository.problem(url: "https://git.example.com/a/catalog.git", branch: "release/2026-12") == nil)
    }

    @Test func aTokenInTheURLIsNeverShown() async throws {
        let port = try await FaultServer.refusedPort()
        let repository = GitRepository(url: "http://sb:planted-t0ken-91x@127.0.0.1:\(port)/catalog.git", stateFolder: FileManager.default.temporaryDirectory.appendingPathComponent("gitops-\(UUID().uuidString)"))
        do {
            _ = try await repository.fetch()
            Issue.record("fetched from a refused port")
        } catch {
            #expect(!error.description.contains("planted-t0ken-91x"), "\(error)")
            #expect(error.description.contains("127.0.0.1"))
        }
        let status = GitOpsStatus(repository: repository.url, branch: "main", folder: nil)
        #expect(!status.repository.contains("planted-t0ken-91x"))
    }

    @Test func aServerThatNeverAnswersMeetsTheDeadline() async throws {
        let server = try await FaultServer.start(.silent)
        let repository = GitRepository(url: "\(server.url)/catalog.git", stateFolder: FileManager.default.temporaryDirectory.appendingPathComponent("gitops-\(UUID().uuidString)"),
                                       deadline: .seconds(2))
        do {
            _ = try await repository.fetch()
            Issue.record("fetched from a server that never answers")
        } catch {
            #expect(error.description.contains("did not fetch branch main"), "\(error)")
            #expect(error.description.contains("within 2 s"), "\(error)")
        }
        await server.stop()
    }

    /// A controller over `remote`, started as `serve` starts it, on an in-memory audit log.
    static func controller(_ remote: GitRemote, audit: AuditLog) async throws -> (GitOpsController, SnapshotStore) {
        let repository = Self.repository(remote)
        let start = try await GitOpsController.start(repository: repository, audit: audit, timeout: .seconds(5), logger: Logger(label: "test"))
        let store = SnapshotStore(catalog: start.catalog, connections: start.connections)
        let controller = GitOpsController(store: store, audit: audit, metrics: ServerMetrics(), repository: repository, served: start, interval: .seconds(600), timeout: .seconds(5),
                                          logger: Logger(label: "test"))
        return (controller, store)
    }

    @Test func aCommitWithProblemsIsRefusedAndTheLastGoodOneStays() async throws {
        let (remote, first) = try await Self.remote(Self.catalog())
        let audit = try AuditLog(path: ":memory:")
        let (controller, store) = try await Self.controller(remote, audit: audit)
        #expect(controller.status.current?.hash == first)

        for (path, content) in Self.catalog(tasks: 99) { try remote.write(path, content) }
        let bad = try await remote.commitAndPush("Too many tasks")
        await controller.sync()
        let status = controller.status
        #expect(status.current?.hash == first, "the last good commit stays served")
        #expect(status.rejected?.commit.hash == bad)
        #expect(status.rejected?.problems.joined().contains("tasks") == true, "\(status.rejected?.problems ?? [])")
        #expect(store.catalog.connectors.first?.tasks == 1)
        #expect(status.commitsBehind == 1)
        let refusals = try await audit.recent().filter { $0.action == "gitops-refuse" }
        #expect(refusals.count == 1 && refusals[0].user == GitOpsController.user && refusals[0].detail?.contains(String(bad.prefix(10))) == true)

        // Refused once: the next sync does not load or audit it again.
        await controller.sync()
        #expect(try await audit.recent().filter { $0.action == "gitops-refuse" }.count == 1)

        // A fixed commit is served.
        for (path, content) in Self.catalog(tasks: 2) { try remote.write(path, content) }
        let fixed = try await remote.commitAndPush("Two tasks")
        await controller.sync()
        #expect(controller.status.current?.hash == fixed && controller.status.rejected == nil)
        #expect(store.catalog.connectors.first?.tasks == 2)
        // The cluster cannot be read: said, and nothing applied.
        #expect(controller.status.cluster("ingest")?.result == .unreachable)
    }

    @Test func aRestartWhileTheNewestCommitIsBadServesTheLastGoodOne() async throws {
        let (remote, first) = try await Self.remote(Self.catalog())
        let audit = try AuditLog(path: ":memory:")
        _ = try await Self.controller(remote, audit: audit)
        for (path, content) in Self.catalog(tasks: 99) { try remote.write(path, content) }
        let bad = try await remote.commitAndPush("Too many tasks")

        let (restarted, store) = try await Self.controller(remote, audit: audit)
        #expect(restarted.status.current?.hash == first)
        #expect(restarted.status.rejected?.commit.hash == bad)
        #expect(store.catalog.connectors.first?.tasks == 1)
    }

    @Test func withoutAnyGoodCommitTheServerDoesNotStart() async throws {
        let (remote, _) = try await Self.remote(Self.catalog(tasks: 99))
        do {
            _ = try await Self.controller(remote, audit: try AuditLog(path: ":memory:"))
            Issue.record("started on a commit with problems")
        } catch {
            #expect("\(error)".contains("there is no good commit to serve"), "\(error)")
            #expect("\(error)".contains("tasks"), "\(error)")
        }
    }

    @Test(arguments: [
        // (changes, mode, drift, applied == current, last result, requested) -> decision
        (0, GitOpsSettings.Mode.auto, GitOpsSettings.Drift.report, false, ClusterSync.Result?.none, false, GitOpsController.Decision.inSync),
        (3, .auto, .report, false, nil, false, .apply),
        (3, .auto, .report, true, .applied, false, .report(.drifted)),
        (3, .auto, .correct, true, .applied, false, .apply),
        (3, .auto, .report, true, .failed, false, .apply),
        (3, .auto, .correct, true, .refused, false, .report(.refused)),
        (3, .manual, .report, false, nil, false, .report(.pending)),
        (3, .manual, .report, false, nil, true, .apply),
        (0, .manual, .report, false, nil, true, .inSync),
    ])
    func decides(changes: Int, mode: GitOpsSettings.Mode, drift: GitOpsSettings.Drift, appliedCurrent: Bool, last: ClusterSync.Result?, requested: Bool, expected: GitOpsController.Decision) {
        let decision = GitOpsController.decide(changes: changes, settings: GitOpsSettings(mode: mode, drift: drift), appliedHash: appliedCurrent ? "c" : "b",
                                               currentHash: "c", lastResult: last, requested: requested)
        #expect(decision == expected)
    }

    // MARK: webhook

    static let secret = "webhook-secret-0123456789"

    static func signature(_ body: String, secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func onlyASignedPushOfTheBranchFollowedSyncs() async throws {
        let (remote, _) = try await Self.remote(Self.catalog())
        let audit = try AuditLog(path: ":memory:")
        let (controller, store) = try await Self.controller(remote, audit: audit)
        let dependencies = ServerDependencies.assemble(store: store, audit: audit, auth: AuthSettings(localUsers: ServerFixture.users), gitops: controller, webhookSecret: Array(Self.secret.utf8))
        let app = Application(router: buildRouter(dependencies))
        let push = #"{"ref": "refs/heads/main", "after": "abc"}"#
        try await app.test(.router) { client in
            func hook(_ body: String, signature: String?, event: String = "push") async throws -> (HTTPResponse.Status, String) {
                var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-GitHub-Event")!: event]
                if let signature { headers[HTTPField.Name("X-Hub-Signature-256")!] = signature }
                return try await client.execute(uri: "/hooks/git", method: .post, headers: headers, body: ByteBuffer(string: body)) { ($0.status, String(buffer: $0.body)) }
            }
            #expect(try await hook(push, signature: nil).0 == .unauthorized)
            #expect(try await hook(push, signature: Self.signature(push, secret: "another-secret-0123456")).0 == .unauthorized)
            #expect(try await hook(push, signature: "sha256=zz").0 == .unauthorized)
            #expect(try await hook(push + " ", signature: Self.signature(push)).0 == .unauthorized, "the signature covers the exact body")
            let (signed, answer) = try await hook(push, signature: Self.signature(push))
            #expect(signed == .accepted && answer.contains("syncing"))
            #expect(!answer.contains(Self.secret))
            let other = #"{"ref": "refs/heads/feature"}"#
            let (ignored, why) = try await hook(other, signature: Self.signature(other))
            #expect(ignored == .accepted && why.contains("ignored"))
            #expect(try await hook("{}", signature: Self.signature("{}"), event: "ping").1.contains("pong"))
        }
        // The signed push woke the controller: its next nap returns at once.
        let woke = ContinuousClock.now
        await controller.nap()
        #expect(ContinuousClock.now - woke < .seconds(300))
    }

    @Test func withoutASecretWebhooksAreRefused() async throws {
        let (remote, _) = try await Self.remote(Self.catalog())
        let audit = try AuditLog(path: ":memory:")
        let (controller, store) = try await Self.controller(remote, audit: audit)
        let dependencies = ServerDependencies.assemble(store: store, audit: audit, auth: AuthSettings(localUsers: ServerFixture.users), gitops: controller)
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let status = try await client.execute(uri: "/hooks/git", method: .post, headers: [HTTPField.Name("X-Hub-Signature-256")!: Self.signature("{}")], body: ByteBuffer(string: "{}")) { $0.status }
            #expect(status == .forbidden)
        }
    }

    @Test func thePageAndAPIShowTheRefusedCommitAndOnlyAdminsApply() async throws {
        let (remote, _) = try await Self.remote(Self.catalog())
        let audit = try AuditLog(path: ":memory:")
        let (controller, store) = try await Self.controller(remote, audit: audit)
        for (path, content) in Self.catalog(tasks: 99) { try remote.write(path, content) }
        let bad = try await remote.commitAndPush("Too many tasks")
        await controller.sync()
        let dependencies = ServerDependencies.assemble(store: store, audit: audit, auth: AuthSettings(localUsers: ServerFixture.users), gitops: controller)
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice"), pat = try await client.signIn("pat")
            func apply(_ cluster: String, cookie: String?) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [:]
                if let cookie {
                    headers[.cookie] = cookie
                    headers[HTTPField.Name("X-CSRF-Token")!] = try await client.csrf(cookie: cookie)
                }
                return try await client.execute(uri: "/api/v1/gitops/clusters/\(cluster)/apply", method: .post, headers: headers) { $0.status }
            }
            let (status, page) = try await client.page("/gitops", cookie: alice)
            #expect(status == .ok)
            #expect(page.contains(String(bad.prefix(10))) && page.contains("not applied") && page.contains("tasks"))
            let (_, api) = try await client.page("/api/v1/gitops", cookie: alice)
            let json = try JSONSerialization.jsonObject(with: Data(api.utf8)) as? [String: Any]
            #expect((json?["rejected"] as? [String: Any]) != nil)
            #expect(try await apply("ingest", cookie: alice) == .forbidden)
            #expect(try await apply("nowhere", cookie: pat) == .notFound)
            #expect(try await apply("ingest", cookie: pat) == .accepted)
            #expect(try await apply("ingest", cookie: nil) == .unauthorized)
        }
        let asked = try await audit.recent().filter { $0.action == "gitops-apply" }
        #expect(asked.map(\.outcome) == [.succeeded, .denied])
    }

    @Test func theRowAuditedBeforeASyncWritesNamesWhatItWrites() {
        func change(_ action: Change.Action, _ name: String) -> Change { Change(action: action, cluster: "c", connector: name, team: nil, source: nil) }
        #expect(GitOpsController.describe([change(.create, "a"), change(.delete, "b"), change(.create, "c"), change(.changeState, "d")])
                == "4 change(s): create a, c; change-state d; delete b")
        let many = (0..<30).map { change(.delete, "d\($0)") }
        let text = GitOpsController.describe(many)
        #expect(text == "30 change(s): delete " + (0..<10).map { "d\($0)" }.joined(separator: ", ") + ", ... and 20 more", "\(text)")
    }

    @Test func settingsAreCheckedWithTheirKey() throws {
        for (yaml, expected) in [
            ("gitops:\n  mode: sometimes\n", "gitops.mode of the platform must be auto or manual"),
            ("gitops:\n  drift: fix\n", "gitops.drift of the platform must be correct or report"),
            ("gitops:\n  mode: manual\n  drift: correct\n", "its mode is manual"),
            ("gitops:\n  modes: auto\n", "modes"),
        ] {
            var files = Self.catalog()
            files["switchboard.yaml"] = "clusters:\n  - name: ingest\n    url: http://127.0.0.1:1\n" + yaml
            let folder = try CatalogFolder(files)
            do {
                _ = try CatalogLoader.loadChecked(from: folder.root)
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.description.contains(expected), "\(error)")
                #expect(error.description.contains("switchboard.yaml"), "\(error)")
            }
        }
        let folder = try CatalogFolder(Self.catalog())
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        #expect(catalog.clusters[0].gitops == GitOpsSettings(mode: .manual, drift: .report))
    }
}
