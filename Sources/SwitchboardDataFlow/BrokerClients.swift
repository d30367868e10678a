import Dispatch
import Foundation
import NIOConcurrencyHelpers
import SwitchboardCore

// What every librdkafka client of the server shares: its settings, and how its blocking calls
// are run (the lag poller's rounds and the dead-letter reads).

extension ClusterDefinition.Kafka {
    /// librdkafka settings for this broker: security, SASL (the password from the environment
    /// variable named), and a deadline for connecting (each call has its own timeout too).
    public func clientProperties(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var properties: [String: String] = [:]
        if let securityProtocol { properties["security.protocol"] = securityProtocol }
        if let saslMechanism { properties["sasl.mechanism"] = saslMechanism }
        if let saslUsername { properties["sasl.username"] = saslUsername }
        if let saslPasswordEnv, let password = environment[saslPasswordEnv] { properties["sasl.password"] = password }
        properties["socket.connection.setup.timeout.ms"] = "5000"
        return properties
    }
}

/// Runs a blocking librdkafka call on `queue`, off Swift's cooperative pool. A cancelled task
/// does not wait for it: the answer is `cancelled` at once, and the call's late result is dropped.
func blockingRead<T: Sendable>(on queue: DispatchQueue, cancelled: T, _ work: @escaping @Sendable () -> T) async -> T {
    let once = NIOLockedValueBox<CheckedContinuation<T, Never>?>(nil)
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            once.withLockedValue { $0 = continuation }
            if Task.isCancelled { once.withLockedValue { $0.take() }?.resume(returning: cancelled) }
            queue.async {
                let result = work()
                once.withLockedValue { $0.take() }?.resume(returning: result)
            }
        }
    } onCancel: {
        once.withLockedValue { $0.take() }?.resume(returning: cancelled)
    }
}
