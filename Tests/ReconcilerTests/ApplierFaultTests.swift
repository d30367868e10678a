import ConnectClient
import Foundation
import Outbound
@testable import Reconciler
import TestSupport
@testable import SwitchboardCore
import Testing

/// The Applier's paths that a real worker cannot be made to produce on demand, against a fake
/// Connect on port 0: a long 409 storm, a 500 "Request timed out" whose write did land, a create
/// that meets "already exists", a connector that stays failed after an update until restarted,
/// a write that is never answered, and Connect's error messages carrying secrets. The guards before the first write (validation,
/// the deletion limit) are checked here too by counting writes.
@Suite struct ApplierFaultTests {
    /// A scripted Connect: connectors in memory, every request counted.
    final class FakeConnect: @unchecked Sendable {
        private let lock = NSLock()
        private var connectors: [String: [String: String]] = [:]
        private var requests: [String] = []
        /// How many of the next `POST /connectors` calls get `transientAnswer` before one succeeds.
        var transientAnswersLeft = 0
        /// What those calls are answered: by default Connect's 409 during a rebalance.
        var transientAnswer = (status: 409, message: "Cannot complete request because of a conflicting operation (e.g. worker rebalance)")
        /// Whether the first create is stored but answered with Connect's request timeout.
        var timeOutFirstCreate = false
        /// What `PUT .../config/validate` reports as errors, by key.
        var validationErrors: [String: String] = [:]
        /// A message that every create fails with (400), when set.
        var createError: String?
        /// Connectors whose task shows FAILED until `POST /connectors/<name>/restart`.
        var failing: Set<String> = []
        /// How long writes (not validation) wait before their answer.
        var writeDelay: Duration = .zero
        /// When set, a create or delete arriving while more than this many arrived in the last
        /// 300 ms is answered 409 (a rebalance under load); accepted ones answer after 150 ms.
        var busyAbove: Int?
        private var recentWrites: [ContinuousClock.Instant] = []
        private(set) var conflictsUnderLoad = 0
        private var restarts: [String] = []

        func seed(_ name: String, config: [String: String]) {
            lock.withLock { connectors[name] = config.merging(["name": name]) { $1 } }
        }

        func config(of name: String) -> [String: String]? { lock.withLock { connectors[name] } }
        var restarted: [String] { lock.withLock { restarts } }
        var requestLines: [String] { lock.withLock { requests } }

        func handle(_ request: FaultServer.Request) -> FaultServer.Answer {
            lock.withLock {
                requests.append("\(request.method) \(request.uri)")
                let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
                switch (request.method, path) {
                case ("GET", "/health"):
                    return .init(body: #"{"status":"healthy"}"#)
                case ("GET", "/connectors"):
                    return .init(body: bulk())
                case ("PUT", let validate) where validate.hasSuffix("/config/validate"):
                    let configs = validationErrors.map { #"{"value":{"name":"\#($0.key)","errors":["\#($0.value)"]}}"# }.joined(separator: ",")
                    return .init(body: #"{"error_count":\#(validationErrors.count),"configs":[\#(configs)]}"#)
                case ("POST", "/connectors") where writeDelay > .zero, ("PUT", _) where writeDelay > .zero && path.hasSuffix("/config"):
                    return .init(status: 201, body: "{}", delay: writeDelay)
                case ("PUT", let configPath) where configPath.hasSuffix("/config"):
                    let name = String(configPath.dropFirst("/connectors/".count).dropLast("/config".count))
                    guard let config = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: String] else {
                        return .init(status: 400, body: #"{"error_code":400,"message":"bad body"}"#)
                    }
                    connectors[name] = config.merging(["name": name]) { $1 }
                    return .init(body: "{}")
                case ("PUT", let resume) where resume.hasSuffix("/resume"):
                    return .init(status: 202, body: "")
                case ("POST", let restart) where restart.hasSuffix("/restart"):
                    let name = String(restart.dropFirst("/connectors/".count).dropLast("/restart".count))
                    restarts.append(name)
                    failing.remove(name)
                    return .init(status: 202, body: "{}")
                case ("DELETE", let connector) where busyAbove != nil && connector.hasPrefix("/connectors/"):
                    if let conflict = underLoad() { return conflict }
                    guard connectors.removeValue(forKey: String(connector.dropFirst("/connectors/".count))) != nil else {
                        return .init(status: 404, body: #"{"error_code":404,"message":"Connector not found"}"#)
                    }
                    return .init(status: 204, body: "", delay: .milliseconds(150))
                case ("POST", "/connectors") where busyAbove != nil:
                    if let conflict = underLoad() { return conflict }
                    guard let body = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any],
                          let name = body["name"] as? String, let config = body["config"] as? [String: String] else {
                        return .init(status: 400, body: #"{"error_code":400,"message":"bad body"}"#)
                    }
                    connectors[name] = config.merging(["name": name]) { $1 }
                    return .init(status: 201, body: "{}", delay: .milliseconds(150))
                case ("POST", "/connectors"):
                    if let createError { return .init(status: 400, body: #"{"error_code":400,"message":\#(json(createError))}"#) }
                    if transientAnswersLeft > 0 {
                        transientAnswersLeft -= 1
                        return .init(status: transientAnswer.status, body: #"{"error_code":\#(transientAnswer.status),"message":\#(json(transientAnswer.message))}"#)
                    }
                    guard let body = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any],
                          let name = body["name"] as? String, let config = body["config"] as? [String: String] else {
                        return .init(status: 400, body: #"{"error_code":400,"message":"bad body"}"#)
                    }
                    if connectors[name] != nil { return .init(status: 409, body: #"{"error_code":409,"message":"Connector \#(name) already exists"}"#) }
                    connectors[name] = config.merging(["name": name]) { $1 }
                    if timeOutFirstCreate {
                        timeOutFirstCreate = false
                        return .init(status: 500, body: #"{"error_code":500,"message":"Request timed out"}"#)
                    }
                    return .init(status: 201, body: "{}")
                default:
                    return .init(status: 404, body: #"{"error_code":404,"message":"HTTP 404 Not Found"}"#)
                }
            }
        }

        /// A 409 when more than `busyAbove` writes arrived in the last 300 ms (this one counted).
        func underLoad() -> FaultServer.Answer? {
            guard let busyAbove else { return nil }
            let now = ContinuousClock.now
            recentWrites.removeAll { now - $0 > .milliseconds(300) }
            recentWrites.append(now)
            guard recentWrites.count > busyAbove else { return nil }
            conflictsUnderLoad += 1
            return .init(status: 409, body: #"{"error_code":409,"message":"Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}"#,
                         delay: .milliseconds(50))
        }

        func bulk() -> String {
            let entries = connectors.map { name, config in
                let configJSON = String(decoding: try! JSONEncoder().encode(config), as: UTF8.self)
                let task = failing.contains(name) ? #""state":"FAILED","trace":"org.example.Boom""# : #""state":"RUNNING""#
                return #""\#(name)":{"info":{"name":"\#(name)","config":\#(configJSON),"tasks":[{"connector":"\#(name)","task":0}],"type":"sink"},"status":{"name":"\#(name)","connector":{"state":"RUNNING","worker_id":"fake:1"},"tasks":[{"id":0,\#(task),"worker_id":"fake:1"}],"type":"sink"}}"#
            }
            return "{" + entries.joined(separator: ",") + "}"
        }

        func json(_ text: String) -> String { String(decoding: try! JSONEncoder().encode(text), as: UTF8.self) }

        var creates: Int { lock.withLock { requests.filter { $0 == "POST /connectors" }.count } }
        var writes: Int { lock.withLock { requests.filter { !$0.hasPrefix("GET") && !$0.contains("/config/validate") }.count } }
        var names: [String] { lock.withLock { connectors.keys.sorted() } }
    }

    func setUp(_ fake: FakeConnect, connectors: [String], secretValue: String? = nil, timeout: Duration = .seconds(5), retryFor: Duration = .seconds(20),
               failureGrace: Duration = .seconds(30), writes: WriteWindow.Mode = .standard, allowMassDelete: Bool = false) async throws -> (FaultServer, Catalog, Applier) {
        let server = try await FaultServer.start(.scripted { fake.handle($0) })
        let location = SourceLocation(file: "switchboard.yaml")
        let team = Team(name: "payments", members: Principals(users: ["alice"]), alertReceivers: [], location: location)
        let definitions = connectors.map { name in
            ConnectorDefinition(team: "payments", name: name, cluster: "fake", connectorClass: "org.example.Sink", tasks: 1, state: .running,
                                config: ["topics": name] .merging(secretValue.map { ["db.password": $0] } ?? [:]) { $1 }, location: SourceLocation(file: "teams/payments/connectors/\(name).yaml", line: 1))
        }
        let catalog = Catalog(root: URL(fileURLWithPath: "/tmp"), clusters: [ClusterDefinition(name: "fake", urls: [server.url], location: location)],
                              policy: Policy(), admins: Principals(), teams: [team], connectors: definitions)
        let connections = try ClusterConnections(catalog: catalog, timeout: timeout)
        let applier = Applier(connections: connections, options: .init(writes: writes, writeTimeout: timeout, waitTimeout: .seconds(20), retry: RetryPolicy(maxAttempts: 30, initialDelay: .milliseconds(10), maxDelay: .milliseconds(50), maxElapsed: retryFor),
                                                                      pollInterval: .milliseconds(50), emptyTaskGrace: .zero, failureGrace: failureGrace,
                                                                      allowMassDelete: allowMassDelete))
        return (server, catalog, applier)
    }

    func plan(_ catalog: Catalog, live: [LiveConnector] = []) -> Plan {
        Planner(catalog: catalog).plan(live: ["fake": live])
    }

    /// What a group in flux answers a write: a rebalance (409, or a 500 saying one is expected),
    /// a follower whose leader was killed (500 "IO Error trying to forward"), a starting worker (503).
    static let answersOfAGroupInFlux = [
        (status: 409, message: "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"),
        (status: 409, message: "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."),
        (status: 500, message: "Request cannot be completed because a rebalance is expected"),
        (status: 500, message: "IO Error trying to forward REST request: java.net.ConnectException: Connection refused"),
        (status: 503, message: "The worker is still starting up and cannot handle requests yet"),
    ]

    @Test(arguments: answersOfAGroupInFlux)
    func aLongStormOfTransientAnswersIsRiddenOutWithBackoff(_ answer: (status: Int, message: String)) async throws {
        let fake = FakeConnect()
        fake.transientAnswersLeft = 12
        fake.transientAnswer = answer
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a", "b", "c"])
        defer { Task { await server.stop() } }
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog)
        #expect(outcomes.allSatisfy { $0.result == .applied }, "\(outcomes.map(\.result))")
        #expect(fake.names == ["payments_a", "payments_b", "payments_c"])
        #expect(fake.creates == 15, "twelve such answers, then one create each")
    }

    /// A server told to stop in the middle of an apply's writes: the write under way ends and is
    /// waited for, nothing more is written, and every change says what happened to it.
    @Test func aStopMidWritesSendsNothingMoreAndSaysWhatWasNotWritten() async throws {
        let fake = FakeConnect()
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a", "b", "c", "d", "e"], writes: .pinned(1))
        defer { Task { await server.stop() } }
        var options = applier.options
        options.stopping = { fake.creates >= 1 }
        let outcomes = try await Applier(connections: applier.connections, options: options).apply(plan(catalog), catalog: catalog)
        #expect(fake.creates == 1, "nothing written after the stop")
        #expect(outcomes.filter { $0.result == .applied }.count == 1, "the write under way was waited for: \(outcomes.map(\.result))")
        let notWritten = outcomes.filter { $0.result == .interrupted("not written: the stop came first") }
        #expect(notWritten.count == 4, "\(outcomes.map(\.result))")
        #expect(notWritten.allSatisfy { $0.recorded.result == "interrupted" })
    }

    @Test func aStopWhileWaitingEndsTheWaitAtOnceWithTheLastStateSeen() async throws {
        let fake = FakeConnect()
        fake.failing = ["payments_a"]
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a"], failureGrace: .seconds(30))
        defer { Task { await server.stop() } }
        var options = applier.options
        let started = ContinuousClock.now
        // The stop comes once the connector is written: the wait's first round sees it failing
        // (within the 30 s grace) and ends there.
        options.stopping = { fake.creates >= 1 }
        let outcomes = try await Applier(connections: applier.connections, options: options).apply(plan(catalog), catalog: catalog)
        #expect(ContinuousClock.now - started < .seconds(10), "not the 30 s failure grace")
        guard case .interrupted(let what)? = outcomes.first?.result else {
            Issue.record("\(outcomes.map(\.result))")
            return
        }
        #expect(what.contains("written; the wait for its state was cut short") && what.contains("last seen RUNNING"), "\(what)")
    }

    @Test func aTimedOutCreateThatLandedIsNotCreatedTwice() async throws {
        let fake = FakeConnect()
        fake.timeOutFirstCreate = true
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a"])
        defer { Task { await server.stop() } }
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog)
        #expect(outcomes.map(\.result) == [.applied])
        #expect(fake.creates == 1, "the retry re-read the connector and found the write done")
        #expect(fake.names == ["payments_a"])
    }

    @Test func aConfigConnectRejectsStopsTheWholeApplyBeforeAnyWrite() async throws {
        let fake = FakeConnect()
        fake.validationErrors = ["topics": "Must not be empty"]
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a", "b"])
        defer { Task { await server.stop() } }
        do {
            _ = try await applier.apply(plan(catalog), catalog: catalog)
            Issue.record("applied a config Connect rejects")
        } catch {
            guard case .rejectedByConnect(let violations) = error else { Issue.record("\(error)"); return }
            #expect(Set(violations.compactMap(\.connector)) == ["payments_a", "payments_b"])
            #expect(violations.allSatisfy { $0.message.contains("'topics'") })
            #expect(error.description.contains("nothing was applied"))
        }
        #expect(fake.writes == 0)
    }

    @Test func moreDeletesThanThePolicyAllowsAreRefusedBeforeAnyWrite() async throws {
        let fake = FakeConnect()
        let (server, catalog, applier) = try await setUp(fake, connectors: [])
        defer { Task { await server.stop() } }
        let live = (1...6).map { LiveConnector(name: "payments_old\($0)", config: ["connector.class": "x"], state: "RUNNING") }
        do {
            _ = try await applier.apply(plan(catalog, live: live), catalog: catalog)
            Issue.record("deleted six connectors")
        } catch {
            guard case .tooManyDeletes(let deletes, let limit) = error else { Issue.record("\(error)"); return }
            #expect(deletes.count == 6 && limit == Policy.defaultMaxDeletesPerApply)
        }
        #expect(fake.writes == 0)
    }

    @Test func connectsMessagesAreScrubbedBeforeTheyAreShown() async throws {
        let secret = "Hunter2-relayed-secret"
        let fake = FakeConnect()
        fake.createError = "Cannot connect to jdbc:postgresql://app:\(secret)@db/x with password \(secret) (password=\(secret))"
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a"], secretValue: secret)
        defer { Task { await server.stop() } }
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog)
        guard case .failed(let message) = outcomes.first?.result else { Issue.record("\(outcomes)"); return }
        #expect(message.contains("Cannot connect"))
        #expect(!message.contains(secret), "\(message)")
    }

    @Test func aCreateThatMeetsAlreadyExistsMakesTheConnectorMatchInstead() async throws {
        let fake = FakeConnect()
        fake.seed("payments_a", config: ["topics": "old", "connector.class": "org.example.Sink"])
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a"])
        defer { Task { await server.stop() } }
        // Planned while the connector was not there yet: a create.
        let planned = plan(catalog)
        #expect(planned.changes.map(\.action) == [.create])
        let outcomes = try await applier.apply(planned, catalog: catalog)
        #expect(outcomes.map(\.result) == [.applied], "\(outcomes)")
        #expect(fake.config(of: "payments_a")?["topics"] == "a")
        #expect(fake.requestLines.contains("PUT /connectors/payments_a/config"))
        #expect(fake.creates == 1)
    }

    @Test func anUpdatedConnectorThatStaysFailedIsRestartedOnceAndThenApplied() async throws {
        let fake = FakeConnect()
        let old = ["topics": "old", "connector.class": "org.example.Sink", "tasks.max": "1"]
        fake.seed("payments_a", config: old)
        fake.failing = ["payments_a"]
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a"], failureGrace: .milliseconds(200))
        defer { Task { await server.stop() } }
        let live = [LiveConnector(name: "payments_a", config: old.merging(["name": "payments_a"]) { $1 }, state: "RUNNING")]
        let planned = plan(catalog, live: live)
        #expect(planned.changes.map(\.action) == [.update])
        let outcomes = try await applier.apply(planned, catalog: catalog)
        #expect(outcomes.map(\.result) == [.applied], "\(outcomes)")
        #expect(fake.restarted == ["payments_a"], "one restart, of the failed connector")
    }

    @Test func aWriteConnectNeverAnswersFailsWithinItsDeadlineSayingSo() async throws {
        let fake = FakeConnect()
        fake.writeDelay = .seconds(60)
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a"], timeout: .seconds(1), retryFor: .seconds(3))
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog)
        let took = ContinuousClock.now - started
        guard case .failed(let message) = outcomes.first?.result else { Issue.record("\(outcomes)"); return }
        #expect(message.contains("no answer") || message.contains("within"), "\(message)")
        // The deadline bounds the wait; the margin is for a loaded machine, not a speed target.
        #expect(took < .seconds(20), "took \(took)")
    }

    @Test func theWriterBacksOffWhenConnectAnswers409UnderLoadAndStillFinishes() async throws {
        let fake = FakeConnect()
        fake.busyAbove = 6
        let names = (0..<40).map { "c\($0)" }
        let (server, catalog, applier) = try await setUp(fake, connectors: names, writes: .adaptive(initial: 16, ceiling: 64))
        defer { Task { await server.stop() } }
        let summaries = SummaryBox()
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog) { event in
            if case .written(let summary) = event { summaries.set(summary) }
        }
        #expect(outcomes.allSatisfy { $0.result == .applied }, "\(outcomes.map(\.result))")
        #expect(fake.names.count == 40)
        #expect(fake.conflictsUnderLoad > 0, "16 at once is more than the fake takes")
        let summary = try #require(summaries.value)
        #expect(summary.writes == 40 && summary.adaptive && summary.initialConcurrency == 16)
        #expect(summary.steps.contains { $0.reason.contains("answered with retry") && $0.limit < 16 }, "\(summary.steps)")
        #expect(summary.finalConcurrency < 16, "\(summary.steps)")
    }

    @Test func waitingReadsTheClusterWithItsBulkCallOnly() async throws {
        let fake = FakeConnect()
        let names = (0..<30).map { "c\($0)" }
        let (server, catalog, applier) = try await setUp(fake, connectors: names)
        defer { Task { await server.stop() } }
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog)
        #expect(outcomes.count == 30 && outcomes.allSatisfy { $0.result == .applied }, "\(outcomes.map(\.result))")
        let reads = fake.requestLines.filter { $0.hasPrefix("GET /connectors") }
        #expect(!reads.isEmpty && reads.allSatisfy { $0.hasPrefix("GET /connectors?") }, "no read of one connector, however many were written: \(reads)")
    }

    @Test func deletesAloneStartAtHalfTheCeilingAndStillBackOffOn409() async throws {
        let fake = FakeConnect()
        fake.busyAbove = 6
        let names = (0..<40).map { "payments_old\($0)" }
        for name in names { fake.seed(name, config: ["connector.class": "org.example.Sink", "topics": name]) }
        let (server, catalog, applier) = try await setUp(fake, connectors: [], writes: .adaptive(initial: 8, ceiling: 64), allowMassDelete: true)
        defer { Task { await server.stop() } }
        let live = names.map { LiveConnector(name: $0, config: ["connector.class": "org.example.Sink", "topics": $0, "name": $0], state: "RUNNING") }
        let planned = plan(catalog, live: live)
        #expect(planned.changes.count == 40 && planned.changes.allSatisfy { $0.action == .delete })
        let summaries = SummaryBox()
        let outcomes = try await applier.apply(planned, catalog: catalog) { event in
            if case .written(let summary) = event { summaries.set(summary) }
        }
        #expect(outcomes.allSatisfy { $0.result == .applied }, "\(outcomes.map(\.result))")
        #expect(fake.names.isEmpty, "every connector deleted: \(fake.names)")
        let summary = try #require(summaries.value)
        #expect(summary.initialConcurrency == 32, "a delete starts no task: deletes alone start at half the ceiling")
        #expect(fake.conflictsUnderLoad > 0)
        #expect(summary.steps.contains { $0.reason.contains("answered with retry") && $0.limit < 32 }, "\(summary.steps)")
    }

    final class SummaryBox: @unchecked Sendable {
        private let lock = NSLock()
        private var summary: Applier.WriteSummary?
        func set(_ value: Applier.WriteSummary) { lock.withLock { summary = value } }
        var value: Applier.WriteSummary? { lock.withLock { summary } }
    }
}
