@testable import ConnectClient
import NIOCore
import Outbound
import Testing

@Suite struct ConnectErrorTests {
    func map(_ status: Int, _ body: String) -> ConnectError {
        ConnectClient.mapError(status: status, body: ByteBuffer(string: body), request: "PUT /connectors/x/config", endpoint: "http://w:8083")
    }

    @Test func decodesConnectsErrorBody() {
        let error = map(404, #"{"error_code":404,"message":"Connector x not found"}"#)
        #expect(error.kind == .http(status: 404, errorCode: 404, message: "Connector x not found"))
        #expect(error.isNotFound)
        #expect(!error.isRetryable)
        #expect(error.description.contains("Connector x not found"))
    }

    @Test func conflictDuringRebalanceIsRetryableButAlreadyExistsIsNot() {
        #expect(map(409, #"{"error_code":409,"message":"Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"}"#).isRetryable)
        #expect(map(409, #"{"error_code":409,"message":"Cannot complete request because of a conflicting operation (e.g. worker rebalance)"}"#).isRetryable)
        #expect(!map(409, #"{"error_code":409,"message":"Connector x already exists"}"#).isRetryable)
    }

    @Test func pendingRebalanceArrivingAs500IsRetryable() {
        #expect(map(500, #"{"error_code":500,"message":"Request cannot be completed because a rebalance is expected"}"#).isRetryable)
        #expect(map(500, #"{"error_code":500,"message":"Request timed out"}"#).isRetryable)
        // A follower whose leader was just killed, until the group elects another (seen on the
        // real stack when the killed worker led the group).
        #expect(map(500, #"{"error_code":500,"message":"IO Error trying to forward REST request: java.net.ConnectException: Connection refused"}"#).isRetryable)
        #expect(!map(500, #"{"error_code":500,"message":"NullPointerException"}"#).isRetryable)
        #expect(!map(400, #"{"error_code":400,"message":"Connector configuration is invalid"}"#).isRetryable)
    }

    @Test func nonJSONErrorBodyIsKeptAsText() {
        let error = map(502, "<html>Bad gateway</html>")
        #expect(error.message == "<html>Bad gateway</html>")
        #expect(error.isRetryable)
        #expect(map(503, "").message == "HTTP 503")
    }

    @Test func shortDescriptionIsSafeForLabels() {
        #expect(map(409, "{}").shortDescription == "http_409")
        #expect(ConnectError(kind: .unreachable(reason: "connection refused"), request: "GET /", endpoint: "e").shortDescription == "unreachable")
    }
}

@Suite struct RetryPolicyTests {
    @Test func delayDoublesUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        #expect(policy.delay(afterAttempt: 1) <= .milliseconds(100))
        #expect(policy.delay(afterAttempt: 1) >= .milliseconds(80))
        #expect(policy.delay(afterAttempt: 2) >= .milliseconds(160))
        #expect(policy.delay(afterAttempt: 6) <= .milliseconds(350))
        #expect(policy.delay(afterAttempt: 6) >= .milliseconds(280))
    }

    @Test func retriesRetryableErrorsUntilSuccess() async throws {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let counter = Counter()
        let value = try await policy.run {
            if await counter.next() < 3 {
                throw ConnectError(kind: .http(status: 409, errorCode: 409, message: "rebalance"), request: "r", endpoint: "e")
            }
            return "done"
        }
        #expect(value == "done")
        #expect(await counter.value == 3)
    }

    @Test func givesUpAfterMaxAttemptsAndNeverRetriesOtherErrors() async {
        let policy = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(1), maxDelay: .milliseconds(1))
        let counter = Counter()
        await #expect(throws: ConnectError.self) {
            try await policy.run { () async throws -> Int in
                _ = await counter.next()
                throw ConnectError(kind: .unreachable(reason: "down"), request: "r", endpoint: "e")
            }
        }
        #expect(await counter.value == 3)

        let other = Counter()
        await #expect(throws: ConnectError.self) {
            try await policy.run { () async throws -> Int in
                _ = await other.next()
                throw ConnectError(kind: .http(status: 400, errorCode: 400, message: "invalid"), request: "r", endpoint: "e")
            }
        }
        #expect(await other.value == 1)
    }

    /// A killed leader answers every forwarded write at once for as long as the group takes to
    /// elect another: an apply's writes keep trying for their whole time budget, not ten times.
    @Test func writesAreBoundByTheirTimeBudgetNotByACount() async throws {
        var policy = RetryPolicy.writes(within: .seconds(30))
        #expect(policy.maxElapsed == .seconds(30))
        policy.initialDelay = .milliseconds(1)
        policy.maxDelay = .milliseconds(1)
        let counter = Counter()
        let value = try await policy.run {
            if await counter.next() <= 40 {
                throw ConnectError(kind: .http(status: 500, errorCode: 500, message: "IO Error trying to forward REST request: java.net.ConnectException: Connection refused"),
                                   request: "POST /connectors", endpoint: "e")
            }
            return "written"
        }
        #expect(value == "written")
        #expect(await counter.value == 41, "forty answers of a dead leader, then the write")
    }
}

actor Counter {
    var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}

@Suite struct HealthTests {
    @Test func onlyWorkersOlderThan39LackTheHealthEndpoint() {
        #expect(ConnectClient.predatesHealthEndpoint("3.8.1"))
        #expect(ConnectClient.predatesHealthEndpoint("2.8.0"))
        #expect(!ConnectClient.predatesHealthEndpoint("3.9.0"))
        #expect(!ConnectClient.predatesHealthEndpoint("4.0.0"))
        #expect(!ConnectClient.predatesHealthEndpoint("garbage"))
    }
}
