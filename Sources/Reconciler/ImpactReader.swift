import ConnectClient
import Foundation
import SwitchboardCore

/// The impact of a plan on other teams (``PlanImpact``), with the topics Connect reports for
/// each source the plan stops or changes (`GET /connectors/{name}/topics`, one call per such
/// source, each within the client's timeout; none when the plan touches no source). A source
/// whose topics cannot be read is assessed from its config, and the plan says so.
public struct ImpactReader: Sendable {
    public let connections: ClusterConnections

    public init(connections: ClusterConnections) {
        self.connections = connections
    }

    public func assess(_ plan: Plan, live: [String: [LiveConnector]], catalog: Catalog) async -> PlanImpact {
        let touched = plan.changes.filter { change in
            guard let current = live[change.cluster]?.first(where: { $0.name == change.connector }), !PlanImpact.isSink(current.config ?? [:]) else { return false }
            return change.action == .delete || change.action == .update || (change.action == .changeState && change.toState != .running)
        }
        var reported: [String: [String]] = [:]
        var unread: [String: String] = [:]
        await withTaskGroup(of: (String, Result<[String], any Error>).self) { group in
            for change in touched.prefix(200) {
                group.addTask {
                    let key = "\(change.cluster)/\(change.connector)"
                    do {
                        return (key, .success(try await connections.client(change.cluster).topics(of: change.connector)))
                    } catch {
                        return (key, .failure(error))
                    }
                }
            }
            for await (key, result) in group {
                switch result {
                case .success(let topics): reported[key] = topics
                case .failure(let error): unread[key] = Scrubber.scrub((error as? ConnectError)?.shortDescription ?? "\(error)")
                }
            }
        }
        var impact = PlanImpact.assess(plan, live: live, catalog: catalog, reported: reported)
        for index in impact.entries.indices {
            let key = "\(impact.entries[index].cluster)/\(impact.entries[index].connector)"
            if let why = unread[key] { impact.entries[index].unknown.append("Connect did not report its topics (\(why)); read from its config") }
            if touched.count > 200, reported[key] == nil, unread[key] == nil {
                impact.entries[index].unknown.append("its reported topics were not read (more than 200 sources change); read from its config")
            }
        }
        return impact
    }
}
