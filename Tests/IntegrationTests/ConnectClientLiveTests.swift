import ConnectClient
import Foundation
import LocalStack
import StackTesting
import TestSupport
import Testing

/// The Connect client against a real worker.
@Suite("Connect client against a real worker", .tags(.realStack))
struct ConnectClientLiveTests {
    @Test func aDeadWorkerURLFailsOverToTheNextWithinSeconds() async throws {
        let stack = try await TestStack.shared.up()
        let live = stack.configuration.workerURLs(of: "alpha")
        let dead = URL(string: "http://127.0.0.1:\(PortProbe.ephemeral())")!
        let client = ConnectClient(endpoint: ConnectEndpoint(urls: [dead] + live))
        let clock = ContinuousClock()
        let started = clock.now
        let info = try await client.serverInfo()
        #expect(info.version == TestStack.shared.release.release)
        // Without fail-fast connections the pool would retry the dead port until the request deadline.
        #expect(clock.now - started < .seconds(30))
    }

    @Test func anUnreachableClusterIsOneRetryableError() async throws {
        let client = ConnectClient(endpoint: ConnectEndpoint(url: URL(string: "http://127.0.0.1:\(PortProbe.ephemeral())")!), readRetry: .none)
        do {
            _ = try await client.connectors()
            Issue.record("expected an error")
        } catch let error as ConnectError {
            guard case .unreachable = error.kind else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(error.isRetryable)
            #expect(error.description.contains("unreachable"))
        }
    }

    @Test func unknownConnectorIsNotFound() async throws {
        try await TestStack.shared.up()
        let client = TestStack.shared.client("alpha")
        await #expect(throws: ConnectError.self) { try await client.status(of: TestStack.uniqueName("missing")) }
        do {
            _ = try await client.status(of: TestStack.uniqueName("missing"))
        } catch let error as ConnectError {
            #expect(error.isNotFound)
            #expect(!error.isRetryable)
        }
    }
}
