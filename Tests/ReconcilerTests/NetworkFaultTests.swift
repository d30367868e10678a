import ConnectClient
import Foundation
import Outbound
import Reconciler
import Synchronization
import TestSupport
import SwitchboardCore
import Testing

/// Every network wait ends within its deadline with a message saying what was seen. The
/// servers here are fakes on port 0: a real worker cannot be made to stay silent, speak TLS
/// on demand or trickle its body (the real worker's wrong-path case is an integration test).
@Suite struct NetworkFaultTests {
    static let timeout: Duration = .seconds(2)

    /// Reads a one-URL cluster the way plan does, within `timeout`; returns the error text and how long it took.
    func read(_ url: String) async throws -> (String, Duration) {
        let definition = ClusterDefinition(name: "faulty", urls: [url], location: SourceLocation(file: "switchboard.yaml"))
        let connections = try ClusterConnections(clusters: [definition], timeout: Self.timeout)
        let started = ContinuousClock.now
        do {
            _ = try await LiveStateReader(connections: connections, deadline: Self.timeout).read(clusters: ["faulty"])
            Issue.record("reading \(url) succeeded")
            return ("", ContinuousClock.now - started)
        } catch {
            return ("\(error)", ContinuousClock.now - started)
        }
    }

    func expect(_ url: String, says words: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let (message, took) = try await read(url)
        for word in words {
            #expect(message.contains(word), "\(url): \(message)", sourceLocation: sourceLocation)
        }
        #expect(message.contains("Cluster faulty"), "the cluster is named: \(message)", sourceLocation: sourceLocation)
        // The deadline bounds the wait; the margin is for a loaded machine, not a speed target.
        #expect(took < Self.timeout + .seconds(10), "\(url) took \(took)", sourceLocation: sourceLocation)
    }

    @Test func refused() async throws {
        try await expect("http://127.0.0.1:\(try await FaultServer.refusedPort())", says: ["connection refused", "nothing listens"])
    }

    @Test func acceptedButSilent() async throws {
        let server = try await FaultServer.start(.silent)
        defer { Task { await server.stop() } }
        try await expect(server.url, says: ["sent no answer", "within"])
    }

    @Test func notKafkaConnectAnswering404() async throws {
        let server = try await FaultServer.start(.answer(.init(status: 404, body: "<html>Not Found</html>", contentType: "text/html")))
        defer { Task { await server.stop() } }
        try await expect(server.url, says: ["404", "Kafka Connect URL"])
    }

    @Test func kafkaConnectsOwn404MeansAWrongPathAtOnce() async throws {
        // "At once" is counted, not timed: no request is sent twice (a retry would be).
        let requests = Mutex<[String]>([])
        let server = try await FaultServer.start(.scripted { request in
            requests.withLock { $0.append("\(request.method) \(request.uri)") }
            return .init(status: 404, body: #"{"error_code":404,"message":"HTTP 404 Not Found"}"#)
        })
        defer { Task { await server.stop() } }
        let (message, _) = try await read(server.url + "/connect")
        #expect(message.contains("is this a Kafka Connect URL"), "\(message)")
        let sent = requests.withLock { $0 }
        #expect(!sent.isEmpty)
        #expect(Set(sent).count == sent.count, "no waiting when the answer is clear, yet sent: \(sent)")
    }

    @Test func aWorkerThatStaysStartingEndsAtTheDeadline() async throws {
        let server = try await FaultServer.start(.answer(.init(status: 503, body: #"{"error_code":503,"message":"Worker is starting"}"#)))
        defer { Task { await server.stop() } }
        try await expect(server.url, says: ["503", "Worker is starting"])
    }

    @Test func wrongCredentialsFailAtOnce() async throws {
        let server = try await FaultServer.start(.answer(.init(status: 401, body: #"{"error_code":401,"message":"Unauthorized"}"#)))
        defer { Task { await server.stop() } }
        try await expect(server.url, says: ["401"])
    }

    @Test func tlsOnAnHTTPURL() async throws {
        let server = try await FaultServer.start(.tls)
        defer { Task { await server.stop() } }
        try await expect(server.url, says: ["https://"])
    }

    @Test func plainHTTPOnAnHTTPSURL() async throws {
        let server = try await FaultServer.start(.answer(.init()))
        defer { Task { await server.stop() } }
        try await expect("https://127.0.0.1:\(server.port)", says: ["TLS", "http://"])
    }

    @Test func aHostThatDoesNotResolve() async throws {
        try await expect("http://no-such-host.invalid:8083", says: ["does not resolve"])
    }

    @Test func aBodyThatTrickles() async throws {
        let server = try await FaultServer.start(.slowBody(total: 1000, interval: .milliseconds(500)))
        defer { Task { await server.stop() } }
        try await expect(server.url, says: ["body did not arrive within"])
    }

    @Test func aDeadlineEndsAnOperationThatIgnoresCancellation() async throws {
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) {
                // Answers after 60 s whatever cancellation says, as a call that ignores it would.
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 60) { continuation.resume() }
                }
                return 1
            }
        }
        // Far below the operation's 60 s; the margin is for a loaded machine, not a speed target.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
    }
}
