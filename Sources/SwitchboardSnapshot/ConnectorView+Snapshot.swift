import ConnectClient
import Foundation
import SwitchboardAPI
import SwitchboardCore

extension ConnectorView {
    /// `clusterSecrets` holds the secret-key values of every connector of the cluster; every
    /// text taken from Connect goes through the ``Scrubber`` with them.
    static func make(name: String, cluster: String, snapshot: ConnectorSnapshot, catalog: Catalog, secrets: SecretMatcher, clusterSecrets: Scrubber.KnownSecrets, definition: ConnectorDefinition?, drift: [KeyChange], stateDrift: DesiredState? = nil, ownership: Ownership) -> ConnectorView {
        let status = snapshot.status
        let config = snapshot.info?.config ?? [:]
        return ConnectorView(
            name: name,
            cluster: cluster,
            team: definition?.team ?? catalog.owningTeam(ofConnectorNamed: name)?.name,
            state: status?.connector.state.rawValue ?? "UNKNOWN",
            type: snapshot.type,
            connectorClass: config["connector.class"],
            worker: status?.connector.workerID,
            trace: status?.connector.trace.map { Scrubber.scrub($0, known: clusterSecrets) },
            tasks: (status?.tasks ?? []).sorted { $0.id < $1.id }.map { Task(id: $0.id, state: $0.state.rawValue, worker: $0.workerID, trace: $0.trace.map { Scrubber.scrub($0, known: clusterSecrets) }) },
            config: secrets.masked(config),
            source: definition?.location,
            managed: definition != nil,
            ownership: ownership,
            drift: drift,
            stateDrift: stateDrift,
            autoRestart: definition?.autoRestart ?? catalog.autoRestart,
            pluginVersion: status?.connector.version
        )
    }
}
