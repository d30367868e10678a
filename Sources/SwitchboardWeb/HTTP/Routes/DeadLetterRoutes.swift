import Foundation
import Hummingbird
import SwitchboardAPI
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardSnapshot

/// A sink's dead letters as JSON (`GET /api/v1/clusters/{c}/connectors/{n}/dead-letters`): the
/// count and its growth for everyone who sees the connector, the newest records' error headers
/// for readers and above (docs/on-call.md). The connector page and `switchboard deadletters get`
/// show the same answer.
struct DeadLetterRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        router.group("api/v1").get("clusters/{cluster}/connectors/{connector}/dead-letters") { _, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            let cluster = context.parameters.get("cluster") ?? "", name = context.parameters.get("connector") ?? ""
            guard let connector = dependencies.store.current.connectors["\(cluster)/\(name)"] else { return try Responses.error(.notFound, "no connector \(name) on cluster \(cluster)") }
            guard let answer = await dependencies.deadLetters(of: connector, for: user) else {
                return try Responses.error(.notFound, "\(name) on cluster \(cluster) has no dead-letter queue: only a sink whose config sets \(DeadLetters.topicKey) has one")
            }
            return try Responses.json(answer)
        }
    }
}

extension ServerDependencies {
    /// What `user` may see of a connector's dead letters; nil for a connector without a
    /// dead-letter topic. The records are read from the broker once per connector per few
    /// seconds however many ask (``CoalescingCache``), and never for a viewer.
    func deadLetters(of connector: ConnectorView, for user: User) async -> DeadLetters? {
        guard let topic = DeadLetters.topic(of: connector) else { return nil }
        let readings = flow.latest
        var answer = DeadLetters(cluster: connector.cluster, connector: connector.name, topic: topic, records: readings.deadLetters[connector.key],
                                 perMinute: readings.deadLetterRates[connector.key], headersEnabled: connector.config[DeadLetters.headersKey]?.lowercased() == "true")
        let decision = permissions.decide(.viewConfig, user, on: connector)
        guard decision.allowed else {
            answer.recentNote = "the records' errors are shown to readers and above: \(user.name) \(decision.reason)"
            return answer
        }
        let peek = deadLetterPeek
        let read = await deadLetterReads.value(for: connector.key) { await peek.recent(cluster: connector.cluster, topic: topic) }
        answer.recent = read.records
        answer.recentNote = read.note ?? (answer.headersEnabled ? nil
            : "Connect writes the error headers only when the sink sets \(DeadLetters.headersKey)=true; without them a record says only where it sits")
        return answer
    }
}
