import Foundation

/// Before a rolling upgrade: each connector of one cluster checked against a cluster that runs
/// the target release, and what its owning team must do. A plain value, like a ``Plan``.
public struct UpgradeReport: Sendable, Codable, Equatable {
    public struct Finding: Sendable, Codable, Equatable {
        public enum Verdict: String, Sendable, Codable, CaseIterable {
            /// The target validates its config as it is.
            case ready
            /// A key the target rejects or does not know (ignores): the team must change it.
            case needsChange = "needs-change"
            /// The target has no plugin of its class (in the version it pins).
            case pluginMissing = "plugin-missing"
        }

        public struct Problem: Sendable, Codable, Equatable {
            /// The config key, when the problem is one key's.
            public var key: String?
            /// What the target's Connect said (scrubbed), or what differs.
            public var message: String

            public init(key: String?, message: String) {
                (self.key, self.message) = (key, message)
            }
        }

        public var connector: String
        /// The owning team (catalog definition, else the name's prefix when it names a team).
        public var team: String?
        public var connectorClass: String
        public var verdict: Verdict
        public var problems: [Problem]

        public init(connector: String, team: String?, connectorClass: String, verdict: Verdict, problems: [Problem]) {
            (self.connector, self.team, self.connectorClass, self.verdict, self.problems) = (connector, team, connectorClass, verdict, problems)
        }
    }

    /// The cluster whose connectors were checked, and what it runs.
    public var cluster: String
    public var release: String
    /// The cluster they were checked against, and what it runs.
    public var target: String
    public var targetRelease: String
    /// One per connector, by name.
    public var findings: [Finding]

    public init(cluster: String, release: String, target: String, targetRelease: String, findings: [Finding]) {
        (self.cluster, self.release, self.target, self.targetRelease) = (cluster, release, target, targetRelease)
        self.findings = findings.sorted { $0.connector < $1.connector }
    }

    /// How many connectors got each verdict.
    public var counts: [Finding.Verdict: Int] {
        Dictionary(grouping: findings, by: \.verdict).mapValues(\.count)
    }

    /// The teams that must act before the upgrade, each with its connectors that are not ready.
    public var teamsToAct: [(team: String, connectors: [String])] {
        let grouped = Dictionary(grouping: findings.filter { $0.verdict != .ready }) { $0.team ?? "(no team)" }
        return grouped.keys.sorted().map { ($0, grouped[$0]!.map(\.connector)) }
    }
}
