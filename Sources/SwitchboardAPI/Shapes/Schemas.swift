import ConnectClient
import Foundation
import SwitchboardCore

// How the API's types appear in the OpenAPI document: the named ones (components), their
// fields' descriptions, the text enums, and the few whose coding is written by hand.

extension ConnectorView: APIShape {
    public static var schemaName: String { "Connector" }
    public static var fieldDescriptions: [String: String] {
        ["config": "Secret values are (secret)", "health": "FAILED (also a connector meant to run with no task running), DEGRADED (a task failed), or state"]
    }
}

extension ConnectorView.Task: APIShape {
    public static var schemaName: String { "Task" }
}

extension ConnectorSummary: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["health": "FAILED (also a connector meant to run with no task running), DEGRADED (a task failed), or state", "ownership": "What the next apply does with it"]
    }
}

extension ClusterSummary: APIShape {
    public static var schemaName: String { "Cluster" }
}

extension ConnectorList: APIShape {
    public static var schemaName: String { "ConnectorPage" }
}

extension ConnectorDetail: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["capabilities": "What the user may do here; without view-config the connector comes without config, traces and drift",
         "auditError": "Why the audit rows are missing, when the audit log could not be read"]
    }
}

extension StateCounts: APIShape {
    public static var schemaName: String { "Counts" }
}

extension AutoRestartStatus: APIShape {
    public static var schemaName: String { "AutoRestart" }
}

extension KeyChange: APIShape {}
extension AuditEntry: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["offsetsBefore": "Offset changes: the offsets before, as JSON", "offsetsAfter": "Offset changes: the offsets after, as JSON"]
    }
}

extension User: APIShape {}
extension Me: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["teams": "The teams the user owns", "roles": "Every team that grants the user a role, with the role"]
    }
}

extension TeamSummary: APIShape {
    public static var schemaName: String { "Team" }
}

extension ActionDone: APIShape {
    public static var schemaName: String { "Done" }
}

extension OffsetsChange: APIShape {}
extension TokenSummary: APIShape {}
extension TokenCreated: APIShape {}
extension Queued: APIShape {}
extension Acknowledged: APIShape {}
extension APIError: APIShape {
    public static var schemaName: String { "Error" }
}

extension Commit: APIShape {}
extension GitOpsStatus: APIShape {}
extension ClusterSync: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["pending": "Changes a sync would make now, as plan --output json shows them (key changes only for connectors whose config you may read)"]
    }
}

extension Change: APIShape {}
extension LineageGraph: APIShape {
    public static var schemaName: String { "Lineage" }
    public static var fieldDescriptions: [String: String] { ["withoutTopics": "Connectors in scope with no known topic"] }
}

extension LineageGraph.Edge: APIShape {
    public static var schemaName: String { "LineageEdge" }
    public static var fieldDescriptions: [String: String] {
        ["seen": "Connect reported the topic; false: only the config names it", "crossTeam": "On a path from one team's connector to another team's"]
    }
}

extension LineageGraph.Topic: APIShape {
    public static var schemaName: String { "LineageTopic" }
    public static var fieldDescriptions: [String: String] { ["kafka": "The brokers (kafka.bootstrapServers), or 'cluster <name>' when unknown"] }
}

extension FlowSeries: APIShape {
    public static var fieldDescriptions: [String: String] { ["problem": "Why Prometheus was not used, when it failed", "source": "memory or prometheus"] }
}

extension Ownership: SchemaEnum {}
extension DesiredState: SchemaEnum {}
extension Role: SchemaEnum {}
extension Capability: SchemaEnum {}
extension KeyChange.Kind: SchemaEnum {}
extension Change.Action: SchemaEnum {}
extension GitOpsSettings.Mode: SchemaEnum {}
extension GitOpsSettings.Drift: SchemaEnum {}
extension ClusterSync.Result: SchemaEnum {}
extension AuditEntry.Outcome: SchemaEnum {}
extension User.Source: SchemaEnum {}

/// Offsets are the connector's own data: a sink's partition is `{kafka_topic, kafka_partition}`
/// and its offset `{kafka_offset}`, a source's are maps of its own; a null offset removes one.
extension ConnectorOffsets: CustomSchema, APIShape {
    public static var schemaName: String { "Offsets" }
    public static func schema(_ reflector: SchemaReflector) throws -> Schema {
        .object(required: ["offsets"], [
            "offsets": .array(.object(required: ["partition"], [
                "partition": Schema(type: "object", description: "A sink: kafka_topic and kafka_partition; a source: the connector's own map"),
                "offset": Schema(description: "A sink: kafka_offset; a source: the connector's own map; null removes it"),
            ])),
        ])
    }

    public static var placeholder: ConnectorOffsets { ConnectorOffsets(offsets: []) }
}

extension TokenRequest: APIShape {
    public static var fieldDescriptions: [String: String] { ["days": "How long it is good for: 1 to \(maxDays) days; 30 when left out", "name": "1 to 64 printable characters"] }
}

extension LogLevelChange: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["previous": "The level before (its own or inherited): what is put back", "revertAt": "When the previous level is put back",
         "revertedAt": "When it was put back, or superseded by a later change of the same logger"]
    }
}

extension ClusterLoggers: APIShape {}
extension LogLevelRequest: APIShape {
    public static var fieldDescriptions: [String: String] {
        ["level": "TRACE, DEBUG, INFO, WARN, ERROR, FATAL or OFF", "minutes": "Until the previous level is put back: 1 to 1440; 60 when left out"]
    }
}

extension UpgradeReport: APIShape {}
extension UpgradeReport.Finding: APIShape {
    public static var schemaName: String { "UpgradeFinding" }
}
extension UpgradeReport.Finding.Verdict: SchemaEnum {}
