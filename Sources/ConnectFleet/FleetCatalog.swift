import Foundation

/// Writes the catalog of a ``FleetSpec``: `switchboard.yaml` naming the simulated clusters, a
/// folder per team, and a file per connector whose config is what the fleet serves, so that a
/// plan of it has no changes (a failed connector is desired running, as its owner would have it).
public enum FleetCatalog {
    /// Writes into `folder` (which must not exist yet). With `teams`, only those teams' folders
    /// (the catalog one team's pull request plans); the platform file is the same.
    public static func write(_ spec: FleetSpec, to folder: URL, teams only: Set<String>? = nil) throws {
        let files = FileManager.default
        guard !files.fileExists(atPath: folder.path) else {
            throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: folder.path])
        }
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        var platform = "# A simulated fleet (connect-fleet): \(spec.connectors) connectors on \(spec.clusters) clusters, \(spec.teams) teams.\nclusters:\n"
        for index in 0..<spec.clusters {
            platform += "  - name: \(spec.clusterName(index))\n    url: http://127.0.0.1:\(spec.port(ofCluster: index))\n"
        }
        platform += "admins:\n  groups: [platform]\naccess:\n  signedIn: viewer\nautoRestart:\n  enabled: true\n"
        try Data(platform.utf8).write(to: folder.appendingPathComponent("switchboard.yaml"))

        var written: Set<String> = []
        for i in 0..<spec.connectors {
            let connector = spec.connector(i)
            guard only?.contains(connector.team) ?? true else { continue }
            let team = folder.appendingPathComponent("teams/\(connector.team)")
            if written.insert(connector.team).inserted {
                try files.createDirectory(at: team.appendingPathComponent("connectors"), withIntermediateDirectories: true)
                try Data("members: [owner-\(connector.team)]\n".utf8).write(to: team.appendingPathComponent("team.yaml"))
            }
            try Data(file(connector).utf8).write(to: team.appendingPathComponent("connectors/\(connector.shortName).yaml"))
        }
    }

    /// One connector's file.
    static func file(_ connector: FleetConnector) -> String {
        let state: String = switch connector.state {
        case .paused: "paused"
        case .stopped: "stopped"
        default: "running"
        }
        var text = "name: \(connector.shortName)\ncluster: \(connector.cluster)\nclass: \(connector.kind.className)\ntasks: \(connector.tasks)\nstate: \(state)\nconfig:\n"
        for (key, value) in connector.config.sorted(by: { $0.key < $1.key }) {
            text += "  \(key): \(quoted(value))\n"
        }
        return text
    }

    /// A YAML double-quoted scalar (every value stays a string, `${file:...}` included).
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
