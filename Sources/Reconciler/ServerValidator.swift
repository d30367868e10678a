import ConnectClient
import Foundation
import SwitchboardCore

/// Asks each connector's cluster to validate its config with Connect's own
/// `PUT /connector-plugins/{class}/config/validate`, and turns the errors into violations that
/// point at the key's line in the catalog file.
public struct ServerValidator: Sendable {
    public let catalog: Catalog
    public let connections: ClusterConnections
    public var parallelism: Int

    public init(catalog: Catalog, connections: ClusterConnections, parallelism: Int = 8) {
        self.catalog = catalog
        self.connections = connections
        self.parallelism = parallelism
    }

    /// Violations Connect reports for every connector of the catalog; throws when a cluster
    /// cannot be reached.
    public func validate() async throws(ClustersUnreachable) -> [Violation] {
        try await validate(catalog.connectors)
    }

    /// Violations Connect reports for `connectors`, and what they ask of their cluster's release
    /// that it lacks (``releaseViolations(_:)``); throws when a cluster cannot be reached.
    public func validate(_ connectors: [ConnectorDefinition]) async throws(ClustersUnreachable) -> [Violation] {
        try await releaseViolations(connectors) + connectViolations(connectors)
    }

    /// What `connectors` ask of their cluster's Connect release that it does not have: a pinned
    /// plugin version needs 4.1 (KIP-891). Reads `GET /` of those clusters only, once each; a
    /// cluster that does not say its version counts as lacking the feature.
    public func releaseViolations(_ connectors: [ConnectorDefinition]) async throws(ClustersUnreachable) -> [Violation] {
        let pinned = connectors.filter { $0.pluginVersion != nil }
        guard !pinned.isEmpty else { return [] }
        var releases: [String: String] = [:]
        var failures: [ReconcileError] = []
        for cluster in Set(pinned.map(\.cluster)).sorted() {
            do {
                let client = try connections.client(cluster)
                releases[cluster] = try await client.serverInfo().version
            } catch let error as ReconcileError {
                failures.append(error)
            } catch let error as ConnectError {
                failures.append(ReconcileError(cluster: cluster, error))
            } catch {
                failures.append(ReconcileError(cluster: cluster, message: "\(error)"))
            }
        }
        guard failures.isEmpty else { throw ClustersUnreachable(failures: failures) }
        return pinned.compactMap { connector in
            let text = releases[connector.cluster] ?? "an unknown release"
            guard ConnectRelease(text)?.supports(.pluginVersions) != true else { return nil }
            let unsupported = ConnectRelease.Unsupported(feature: .pluginVersions, cluster: connector.cluster, release: text)
            return Violation(.connectRelease, at: connector.location, "Connector \(connector.fullName) pins its plugin's version \(connector.pluginVersion ?? ""): \(unsupported)",
                             fix: "Remove `pluginVersion:` while cluster \(connector.cluster) runs Connect older than 4.1, or upgrade it first (`switchboard upgrade-check`).",
                             connector: connector.fullName)
        }
    }

    /// Violations Connect's own validation reports for `connectors`.
    func connectViolations(_ connectors: [ConnectorDefinition]) async throws(ClustersUnreachable) -> [Violation] {
        let secrets = SecretMatcher(policy: catalog.policy)
        let catalog = self.catalog
        let connections = self.connections
        let results = await boundedMap(connectors, limit: parallelism) { connector -> Result<[Violation], ReconcileError> in
            let config = catalog.policy.effectiveConfig(for: connector).merging(["name": connector.fullName]) { $1 }
            do {
                let client = try connections.client(connector.cluster)
                let result = try await client.validate(connectorClass: connector.connectorClass, config: config)
                return .success(result.errorsByKey.sorted { $0.key < $1.key }.flatMap { key, messages in
                    messages.map { message in
                        Violation(.serverValidation, at: connector.location(ofKey: key),
                                  "Connect rejects '\(key)' of \(connector.fullName): \(secrets.scrub(message, config: config))",
                                  fix: "Correct '\(key)' as the connector's documentation describes.", connector: connector.fullName)
                    }
                })
            } catch let error as ConnectError where error.status != nil {
                // An unknown class answers 404 or 500 with Connect's message.
                return .success([Violation(.serverValidation, at: connector.location,
                                           "Connect cannot validate \(connector.fullName) (class \(connector.connectorClass)): \(secrets.scrub(error.message ?? "", config: config))",
                                           fix: "Check that the class is spelled right and its plugin is installed on cluster \(connector.cluster).", connector: connector.fullName)])
            } catch let error as ConnectError {
                return .failure(ReconcileError(cluster: connector.cluster, error))
            } catch let error as ReconcileError {
                return .failure(error)
            } catch {
                return .failure(ReconcileError(cluster: connector.cluster, message: "\(error)"))
            }
        }
        var violations: [Violation] = []
        var failures: [String: ReconcileError] = [:]
        for result in results {
            switch result {
            case .success(let found): violations += found
            case .failure(let error): failures[error.cluster] = error
            }
        }
        guard failures.isEmpty else {
            throw ClustersUnreachable(failures: failures.values.sorted { $0.cluster < $1.cluster })
        }
        return violations
    }
}
