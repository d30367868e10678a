import ConnectClient
import Foundation
import SwitchboardCore

/// Checks that every worker of a cluster runs exactly the cluster's plugin set.
/// `GET /connector-plugins` answers for the worker that receives it, so each worker is asked:
/// the catalog's URLs, and every worker id that the cluster's status names.
public struct PluginVerifier: Sendable {
    public let manifest: PluginManifest
    public let cluster: String
    public let client: ConnectClient

    public init(manifest: PluginManifest, cluster: String, client: ConnectClient) {
        self.manifest = manifest
        self.cluster = cluster
        self.client = client
    }

    /// What one worker runs, against the set.
    public struct WorkerReport: Sendable, Equatable {
        public struct WrongVersion: Sendable, Equatable {
            public var className: String
            public var expected: String
            public var actual: String
        }
        public var worker: String
        public var missing: [String] = []
        public var extra: [String] = []
        public var wrongVersion: [WrongVersion] = []
        /// Set when the worker could not be asked.
        public var error: String?

        public var isConsistent: Bool { error == nil && missing.isEmpty && extra.isEmpty && wrongVersion.isEmpty }
    }

    public func verify() async -> [WorkerReport] {
        var expectedVersion: [String: String] = [:]
        for artifact in manifest.artifacts(for: cluster) {
            for className in artifact.classes { expectedVersion[className] = artifact.version }
        }
        let expected = Set(manifest.builtinClasses).union(expectedVersion.keys)
        var reports: [WorkerReport] = []
        let (workers, listingError) = await self.workers()
        if let listingError {
            reports.append(WorkerReport(worker: "cluster \(cluster)", error: "could not list its workers from GET /connectors?expand=status, so some may not be checked: \(listingError)"))
        }
        for worker in workers {
            var report = WorkerReport(worker: worker.absoluteString)
            do {
                let plugins = try await client.plugins(worker: worker)
                let reported = Dictionary(plugins.map { ($0.className, $0.version ?? "") }) { first, _ in first }
                report.missing = expected.subtracting(reported.keys).sorted()
                report.extra = Set(reported.keys).subtracting(expected).sorted()
                report.wrongVersion = expectedVersion.keys.sorted().compactMap { className in
                    guard let actual = reported[className], actual != expectedVersion[className] else { return nil }
                    return .init(className: className, expected: expectedVersion[className]!, actual: actual)
                }
            } catch {
                report.error = "\(error)"
            }
            reports.append(report)
        }
        return reports
    }

    /// The catalog's worker URLs plus every worker the cluster's status names (worker ids are
    /// the advertised `host:port`), and why the status could not be read, if it could not.
    func workers() async -> ([URL], String?) {
        var urls = client.endpoint.urls
        var seen = Set(urls.map { "\($0.host ?? ""):\($0.port ?? 80)" })
        let connectors: [String: ConnectorSnapshot]
        do {
            connectors = try await client.connectors()
        } catch {
            return (urls, "\(error)")
        }
        let ids = connectors.values.flatMap(\.workerIDs)
        for id in Set(ids).sorted() where !seen.contains(id) {
            if let url = URL(string: "http://\(id)") {
                urls.append(url)
                seen.insert(id)
            }
        }
        return (urls, nil)
    }
}
