import ConnectClient
import Foundation
@testable import Reconciler
import StackTesting
@testable import SwitchboardCore
import Testing

/// The Applier's paths that a real worker cannot be made to produce on demand, against a fake
/// Connect on port 0: a long 409 storm, a 500 "Request timed out" whose write did land, and
/// Connect's error messages carrying secrets. The guards before the first write (validation,
/// the deletion limit) are checked here too by counting writes.
@Suite struct ApplierFaultTests {
    /// A scripted Connect: connectors in memory, every request counted.
    final class FakeConnect: @unchecked Sendable {
        private let lock = NSLock()
        private var connectors: [String: [String: String]] = [:]
        private var requests: [String] = []
        /// How the next `POST /connectors` calls are answered before one succeeds.
        var conflictsLeft = 0
        /// Whether the first create is stored but answered with Connect's request timeout.
        var timeOutFirstCreate = false
        /// What `PUT .../config/validate` reports as errors, by key.
        var validationErrors: [String: String] = [:]
        /// A message that every create fails with (400), when set.
        var createError: String?

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
                case ("POST", "/connectors"):
                    if let createError { return .init(status: 400, body: #"{"error_code":400,"message":\#(json(createError))}"#) }
                    if conflictsLeft > 0 {
                        conflictsLeft -= 1
                        return .init(status: 409, body: #"{"error_code":409,"message":"Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}"#)
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

        func bulk() -> String {
            let entries = connectors.map { name, config in
                let configJSON = String(decoding: try! JSONEncoder().encode(config), as: UTF8.self)
                return #""\#(name)":{"info":{"name":"\#(name)","config":\#(configJSON),"tasks":[{"connector":"\#(name)","task":0}],"type":"sink"},"status":{"name":"\#(name)","connector":{"state":"RUNNING","worker_id":"fake:1"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"fake:1"}],"type":"sink"}}"#
            }
            return "{" + entries.joined(separator: ",") + "}"
        }

        func json(_ text: String) -> String { String(decoding: try! JSONEncoder().encode(text), as: UTF8.self) }

        var creates: Int { lock.withLock { requests.filter { $0 == "POST /connectors" }.count } }
        var writes: Int { lock.withLock { requests.filter { !$0.hasPrefix("GET") && !$0.contains("/config/validate") }.count } }
        var names: [String] { lock.withLock { connectors.keys.sorted() } }
    }

    func setUp(_ fake: FakeConnect, connectors: [String], secretValue: String? = nil) async throws -> (FaultServer, Catalog, Applier) {
        let server = try await FaultServer.start(.scripted { fake.handle($0) })
        let location = SourceLocation(file: "switchboard.yaml")
        let team = Team(name: "payments", members: Principals(users: ["alice"]), alertReceivers: [], location: location)
        let definitions = connectors.map { name in
            ConnectorDefinition(team: "payments", name: name, cluster: "fake", connectorClass: "org.example.Sink", tasks: 1, state: .running,
                                config: ["topics": name] .merging(secretValue.map { ["db.password": $0] } ?? [:]) { $1 }, location: SourceLocation(file: "teams/payments/connectors/\(name).yaml", line: 1))
        }
        let catalog = Catalog(root: URL(fileURLWithPath: "/tmp"), clusters: [ClusterDefinition(name: "fake", urls: [server.url], location: location)],
                              policy: Policy(), admins: Principals(), teams: [team], connectors: definitions)
        let connections = try ClusterConnections(catalog: catalog, timeout: .seconds(5))
        let applier = Applier(connections: connections, options: .init(waitTimeout: .seconds(20), retry: RetryPolicy(maxAttempts: 30, initialDelay: .milliseconds(10), maxDelay: .milliseconds(50), maxElapsed: .seconds(20)),
                                                                      pollInterval: .milliseconds(50), emptyTaskGrace: .zero))
        return (server, catalog, applier)
    }

    func plan(_ catalog: Catalog, live: [LiveConnector] = []) -> Plan {
        Planner(catalog: catalog).plan(live: ["fake": live])
    }

    @Test func aLong409StormIsRiddenOutWithBackoff() async throws {
        let fake = FakeConnect()
        fake.conflictsLeft = 12
        let (server, catalog, applier) = try await setUp(fake, connectors: ["a", "b", "c"])
        defer { Task { await server.stop() } }
        let outcomes = try await applier.apply(plan(catalog), catalog: catalog)
        #expect(outcomes.allSatisfy { $0.result == .applied }, "\(outcomes.map(\.result))")
        #expect(fake.names == ["payments_a", "payments_b", "payments_c"])
        #expect(fake.creates == 15, "twelve conflicts, then one create each")
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
}
