import Foundation

/// A Kafka Connect release as a worker reports it (`GET /` answers `{"version": "4.3.0"}`), and
/// what it can do: the one place that knows where releases differ (features added, endpoints
/// removed), so that a caller asks ``supports(_:)`` or ``require(_:cluster:)`` and never
/// meets a raw 404 from an older worker.
public struct ConnectRelease: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// The text the worker sent (`3.9.0`, `4.1.1-ccs`).
    public var text: String

    /// A release from a worker's version text; nil when it does not start with `major.minor`.
    public init?(_ text: String) {
        let numbers = text.split(whereSeparator: { !$0.isNumber }).prefix(3).compactMap { Int($0) }
        guard numbers.count >= 2, text.first?.isNumber == true else { return nil }
        (major, minor, patch) = (numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 0)
        self.text = text
    }

    public var description: String { text }

    public static func < (a: ConnectRelease, b: ConnectRelease) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public static func == (a: ConnectRelease, b: ConnectRelease) -> Bool {
        (a.major, a.minor, a.patch) == (b.major, b.minor, b.patch)
    }

    /// What a control plane uses that not every release has.
    public enum Feature: String, Sendable, CaseIterable {
        /// KIP-875: read offsets, STOPPED (3.5); alter and reset them (3.6).
        case offsets
        /// KIP-980: `initial_state` when a connector is created (3.7).
        case initialState = "initial_state"
        /// KIP-976: a logger's level for the whole cluster in one call (3.7; per worker, KIP-495, before).
        case clusterLogLevels = "cluster-wide log levels"
        /// KIP-1017: `GET /health` (3.9).
        case health = "GET /health"
        /// KIP-891: several versions of one plugin; `connector.plugin.version` (4.1).
        case pluginVersions = "plugin versions"

        /// The first release that has it.
        public var since: (major: Int, minor: Int) {
            switch self {
            case .offsets: (3, 6)
            case .initialState, .clusterLogLevels: (3, 7)
            case .health: (3, 9)
            case .pluginVersions: (4, 1)
            }
        }
    }

    public func supports(_ feature: Feature) -> Bool {
        (major, minor) >= feature.since
    }

    /// Whether `GET /connectors/{name}/tasks-config` still exists (deprecated by KIP-970 in 3.7,
    /// removed in 4.0).
    public var hasTasksConfigEndpoint: Bool { major < 4 }

    /// What a worker of this release answers to a log level it does not know: 404 with
    /// "invalid log level" on 4.x, 400 before.
    public static func isUnknownLogLevel(_ error: ConnectError) -> Bool {
        guard let status = error.status, status == 400 || status == 404 else { return false }
        return (error.message ?? "").lowercased().contains("log level")
    }

    /// Throws ``Unsupported`` when this release lacks `feature` ("needs Connect 4.1 (cluster X
    /// runs 3.9.0)").
    public func require(_ feature: Feature, cluster: String) throws(Unsupported) {
        guard supports(feature) else { throw Unsupported(feature: feature, cluster: cluster, release: text) }
    }

    /// A feature a cluster's Connect does not have, said the way a person can act on it.
    public struct Unsupported: Error, Sendable, Equatable, CustomStringConvertible {
        public var feature: Feature
        public var cluster: String
        /// What the cluster runs, as it said (or "an unknown release").
        public var release: String

        public init(feature: Feature, cluster: String, release: String) {
            (self.feature, self.cluster, self.release) = (feature, cluster, release)
        }

        public var description: String {
            "\(feature.rawValue) needs Connect \(feature.since.major).\(feature.since.minor) (cluster \(cluster) runs \(release))"
        }
    }
}
