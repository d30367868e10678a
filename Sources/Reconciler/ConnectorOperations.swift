import ConnectClient
import Foundation
import Outbound

/// The operations on one connector that are not a plan: restart, pause, resume, stop, a task's
/// restart, and its offsets (KIP-875). Every writer of such an operation goes through here: the
/// web's actions (for a person, after its permission check) and the auto-restart controller.
/// Each is idempotent, so what Connect calls retryable (a rebalance, a worker behind on the
/// config topic, a worker still starting) is retried per ``retry``.
public struct ConnectorOperations: Sendable {
    public enum Command: Sendable, Equatable {
        case restart(includeTasks: Bool, onlyFailed: Bool)
        case pause, resume, stop
        case restartTask(Int)
    }

    /// How long one offsets read or write may take: Connect lists a sink's offsets through its
    /// consumer group, which a busy worker was seen taking over 30 s to do.
    public static let offsetsTimeout: Duration = .seconds(90)

    let connections: ClusterConnections
    public var retry: RetryPolicy

    /// A person waits: a worker was seen answering 409 "stale configuration" to a task restart for
    /// over 16 s right after an apply on a busy machine, and a person would rather wait than retry.
    public static let forPeople = RetryPolicy(maxAttempts: 12, initialDelay: .milliseconds(250), maxDelay: .seconds(4), maxElapsed: .seconds(40))
    /// A controller retries for a few seconds only: its next look retries what fails.
    public static let forControllers = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(250), maxDelay: .seconds(2), maxElapsed: .seconds(8))

    public init(connections: ClusterConnections, retry: RetryPolicy = ConnectorOperations.forPeople) {
        self.connections = connections
        self.retry = retry
    }

    /// Sends `command` for the connector `name` of `cluster`.
    public func run(_ command: Command, on name: String, cluster: String) async throws {
        let client = try connections.client(cluster)
        try await retry.run {
            switch command {
            case .restart(let includeTasks, let onlyFailed): try await client.restart(name, includeTasks: includeTasks, onlyFailed: onlyFailed)
            case .pause: try await client.pause(name)
            case .resume: try await client.resume(name)
            case .stop: try await client.stop(name)
            case .restartTask(let task): try await client.restartTask(name, task: task)
            }
        }
    }

    /// The connector's state as Connect says it now (not a snapshot's, which can be a poll behind).
    public func state(of name: String, cluster: String) async throws -> ConnectorState {
        try await offsetsClient(cluster).status(of: name).connector.state
    }

    public func readOffsets(of name: String, cluster: String) async throws -> ConnectorOffsets {
        try await offsetsClient(cluster).readOffsets(of: name)
    }

    /// Removes every offset; returns Connect's message.
    public func resetOffsets(of name: String, cluster: String) async throws -> String {
        let client = try offsetsClient(cluster)
        return try await retry.run { try await client.resetOffsets(of: name) }
    }

    /// Sets the offsets of the partitions given; returns Connect's message.
    public func alterOffsets(of name: String, cluster: String, to offsets: ConnectorOffsets) async throws -> String {
        let client = try offsetsClient(cluster)
        return try await retry.run { try await client.alterOffsets(of: name, to: offsets) }
    }

    /// What a connector page shows beside the snapshot: the topics Connect recorded for the
    /// connector and its offsets. One connector, two calls, a short timeout and no retry: a page
    /// view never waits long and never fans out.
    public func glance(at name: String, cluster: String) async throws -> (topics: [String], offsets: ConnectorOffsets) {
        var client = try connections.client(cluster)
        client.requestTimeout = .seconds(3)
        client.readRetry = .none
        async let topics = client.topics(of: name)
        async let offsets = client.readOffsets(of: name)
        return try await (topics, offsets)
    }

    func offsetsClient(_ cluster: String) throws -> ConnectClient {
        var client = try connections.client(cluster)
        client.requestTimeout = Self.offsetsTimeout
        return client
    }
}
