import ConnectClient
import Foundation
@testable import Reconciler
import SwitchboardCore
import TestSupport
import Testing

/// The upgrade check's verdicts, against two scripted Connects (the real pair of releases is in
/// IntegrationTests): a plugin the target lacks, a pinned version it lacks, a key it rejects
/// (its message scrubbed of the config's secret), a key it no longer knows.
@Suite struct UpgradeCheckTests {
    static let secret = "Hunter2-upgrade-secret"

    static func json(_ value: some Encodable) -> String { String(decoding: try! JSONEncoder().encode(value), as: UTF8.self) }

    static func connector(_ name: String, _ config: [String: String]) -> String {
        #""\#(name)": {"info": {"name": "\#(name)", "config": \#(json(config.merging(["name": name]) { $1 })), "tasks": [], "type": "sink"}, "status": {"name": "\#(name)", "connector": {"state": "STOPPED", "worker_id": "w:1"}, "tasks": [], "type": "sink"}}"#
    }

    /// A validation answer that knows `keys` and reports `errors` (key -> message).
    static func validation(_ keys: [String], errors: [String: String] = [:]) -> String {
        let configs = keys.map { #"{"definition": {"name": "\#($0)"}, "value": {"name": "\#($0)", "value": null, "recommended_values": [], "errors": \#(json(errors[$0].map { [$0] } ?? [])), "visible": true}}"# }
        return #"{"name": "x", "error_count": \#(errors.count), "groups": [], "configs": [\#(configs.joined(separator: ","))]}"#
    }

    @Test func eachConnectorGetsItsVerdictAndItsTeam() async throws {
        let listing = "{" + [
            Self.connector("payments_ready", ["connector.class": "org.example.Sink", "topics": "t"]),
            Self.connector("payments_ignored", ["connector.class": "org.example.Sink", "topics": "t", "old.key": "1"]),
            Self.connector("payments_rejected", ["connector.class": "org.example.Sink", "topics": "t", "db.password": Self.secret]),
            Self.connector("payments_gone", ["connector.class": "org.example.Gone", "topics": "t"]),
            Self.connector("payments_pinned", ["connector.class": "org.example.Sink", "topics": "t", "connector.plugin.version": "2.0"]),
            Self.connector("legacy", ["connector.class": "org.example.Sink", "topics": "t"]),
        ].joined(separator: ",") + "}"
        let source = try await FaultServer.start(.scripted { request in
            if request.uri.hasPrefix("/connectors") { return .init(body: listing) }
            if request.uri.hasSuffix("/config/validate") { return .init(body: Self.validation(["name", "connector.class", "topics", "old.key", "db.password"])) }
            return .init(body: #"{"version": "3.9.0", "commit": "c", "kafka_cluster_id": "k"}"#)
        })
        let target = try await FaultServer.start(.scripted { request in
            if request.uri == "/connector-plugins" { return .init(body: #"[{"class": "org.example.Sink", "type": "sink", "version": "1.0"}]"#) }
            if request.uri.hasSuffix("/config/validate") {
                let errors = request.body.contains(Self.secret) ? ["db.password": "Invalid value \(Self.secret) for configuration db.password"] : [:]
                return .init(body: Self.validation(["name", "connector.class", "topics", "db.password"], errors: errors))
            }
            return .init(body: #"{"version": "4.3.0", "commit": "c", "kafka_cluster_id": "k"}"#)
        })
        defer { Task { await source.stop(); await target.stop() } }
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: old\n    url: \(source.url)\n  - name: new\n    url: \(target.url)\n",
            "teams/payments/team.yaml": "members: [alice]\n",
        ])
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        let report = try await UpgradeCheck(catalog: catalog, connections: try ClusterConnections(catalog: catalog)).run(cluster: "old", target: "new")
        #expect((report.release, report.targetRelease) == ("3.9.0", "4.3.0"))
        let verdicts = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.connector, $0.verdict) })
        #expect(verdicts == ["payments_ready": .ready, "payments_ignored": .needsChange, "payments_rejected": .needsChange, "payments_gone": .pluginMissing,
                             "payments_pinned": .pluginMissing, "legacy": .ready])
        let finding = { (name: String) in report.findings.first { $0.connector == name } }
        #expect(finding("payments_ignored")?.problems == [.init(key: "old.key", message: "Connect 4.3.0 does not know 'old.key' (it would be ignored)")])
        #expect(finding("payments_rejected")?.problems.first?.key == "db.password")
        #expect(finding("payments_pinned")?.problems.first?.message.contains("not the pinned 2.0") == true)
        #expect(finding("payments_ready")?.team == "payments" && finding("legacy")?.team == nil)
        #expect(!String(decoding: try JSONWriter.compact(report), as: UTF8.self).contains(Self.secret), "Connect's message is scrubbed")
        #expect(report.teamsToAct.map(\.team) == ["payments"])
    }
}
