import ConnectClient
import Foundation
@testable import SwitchboardAPI
import SwitchboardCore
import Testing

/// The OpenAPI document is derived from the API's types: what the server encodes and the CLI
/// decodes is what the document says, field by field.
@Suite struct OpenAPIDocumentTests {
    static func document() throws -> [String: Any] {
        let data = try JSONWriter.compact(try OpenAPIDocument.standard())
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func schemas() throws -> [String: [String: Any]] {
        let components = try #require(try document()["components"] as? [String: Any])
        return try #require(components["schemas"] as? [String: [String: Any]])
    }

    @Test func aConnectorsSchemaIsItsTypeRequiredAndOptionalFieldsAsTheTypeHasThem() throws {
        let connector = try #require(try Self.schemas()["Connector"])
        let required = Set(connector["required"] as? [String] ?? [])
        #expect(required == ["name", "cluster", "state", "tasks", "config", "managed", "ownership", "drift", "autoRestart"])
        let properties = try #require(connector["properties"] as? [String: [String: Any]])
        #expect(Set(properties.keys) == required.union(["team", "type", "connectorClass", "pluginVersion", "worker", "trace", "cause", "source", "stateDrift", "restartStatus"]))
        #expect(connector["additionalProperties"] as? Bool == false, "an answer with a field the document does not name fails the contract test")
        #expect(properties["ownership"]?["enum"] as? [String] == Ownership.allCases.map(\.rawValue))
        #expect(properties["config"]?["description"] as? String == "Secret values are (secret)")
        #expect((properties["config"]?["additionalProperties"] as? [String: Any])?["type"] as? String == "string")
        #expect(properties["restartStatus"]?["$ref"] as? String == "#/components/schemas/AutoRestart")
        #expect((properties["tasks"]?["items"] as? [String: Any])?["$ref"] as? String == "#/components/schemas/Task")
    }

    @Test func datesAreDateTimesAndEveryReferenceLeadsToASchema() throws {
        let schemas = try Self.schemas()
        let audit = try #require(schemas["AuditEntry"]?["properties"] as? [String: [String: Any]])
        #expect(audit["at"]?["format"] as? String == "date-time")
        #expect(audit["outcome"]?["enum"] as? [String] == ["succeeded", "failed", "denied"])
        let text = String(decoding: try JSONWriter.compact(try OpenAPIDocument.standard()), as: UTF8.self)
        for match in text.matches(of: /"#\/components\/schemas\/(\w+)"/) {
            #expect(schemas[String(match.1)] != nil, "\(match.0)")
        }
        #expect(schemas.count >= 20)
    }

    /// Each answer, filled in completely, encodes exactly the fields its schema lists.
    @Test func everyFieldAnAnswerEncodesIsInItsSchema() throws {
        let view = ConnectorView(name: "payments_orders", cluster: "ingest", team: "payments", state: "RUNNING", type: "sink", connectorClass: "X", worker: "w:8083",
                                 trace: "t", tasks: [.init(id: 0, state: "FAILED", worker: "w:8083", trace: "t")], config: ["a": "b"],
                                 source: SourceLocation(file: "f.yaml", line: 1), managed: true, ownership: .managed,
                                 drift: [KeyChange(key: "k", kind: .changed, old: "1", new: "2")], stateDrift: .paused, autoRestart: AutoRestartPolicy(),
                                 restartStatus: AutoRestartStatus(restarts: 1, maxRestarts: 7, gaveUp: false, lastRestartAt: Date(), nextRestartAt: Date()))
        let schemas = try Self.schemas()
        try Self.check(ConnectorDetail(connector: view, canAct: true, role: .owner, capabilities: [.operate],
                                       audit: [AuditEntry(user: "a", action: "pause", cluster: "c", connector: "n", task: 1, outcome: .succeeded, detail: "d", offsetsBefore: "{}", offsetsAfter: "{}")],
                                       auditError: "e"), "ConnectorDetail", schemas)
        let cluster = ClusterView(name: "ingest", urls: ["u"], connectorKeys: ["ingest/x"], workers: [.init(id: "w", connectors: 1, tasks: 1)],
                                  plugins: [.init(className: "C", type: "sink", version: "1")], connectVersion: "3.9.0", readAt: Date(), lastError: "e", lastErrorAt: Date())
        try Self.check(ConnectorList(total: 1, offset: 0, limit: 1, order: "urgency", counts: StateCounts([view]), connectors: [ConnectorSummary(view)], next: "MQ", clusters: [ClusterSummary(cluster)],
                                     snapshotTakenAt: Date()), "ConnectorPage", schemas)
        try Self.check(Me(user: User(name: "a", groups: ["g"], email: "e", source: .local), admin: true, teams: ["t"], roles: ["t": .owner], csrfToken: "x"), "Me", schemas)
        try Self.check(TokenCreated(token: "sbt_x", id: 1, name: "n", expiresAt: Date()), "TokenCreated", schemas)
        try Self.check(APIError("no"), "Error", schemas)
    }

    /// Every key of `value`'s JSON is a property of the named schema, every required one is there,
    /// and so on down through references, lists and maps.
    static func check<T: Encodable>(_ value: T, _ name: String, _ schemas: [String: [String: Any]]) throws {
        let json = try JSONSerialization.jsonObject(with: try JSONWriter.compact(value))
        try conforms(json, to: ["$ref": "#/components/schemas/\(name)"], schemas, at: name)
    }

    static func conforms(_ value: Any, to schema: [String: Any], _ schemas: [String: [String: Any]], at path: String) throws {
        if let reference = schema["$ref"] as? String {
            let target = try #require(schemas[String(reference.split(separator: "/").last!)], "\(path): \(reference)")
            return try conforms(value, to: target, schemas, at: path)
        }
        if let object = value as? [String: Any], schema["type"] as? String == "object" {
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for key in schema["required"] as? [String] ?? [] { #expect(object[key] != nil, "\(path).\(key) is required") }
            for (key, child) in object {
                if let property = properties[key] {
                    try conforms(child, to: property, schemas, at: "\(path).\(key)")
                } else if let values = schema["additionalProperties"] as? [String: Any] {
                    try conforms(child, to: values, schemas, at: "\(path).\(key)")
                } else {
                    Issue.record("\(path).\(key) is not in the schema")
                }
            }
        } else if let list = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in list.enumerated() { try conforms(item, to: items, schemas, at: "\(path)[\(index)]") }
        }
    }

    @Test func aTypeThatCannotBeDescribedIsAnErrorNamingIt() {
        enum Color: String, Codable { case red }
        struct Paint: Codable { var color: Color }
        #expect {
            try SchemaReflector().schema(for: Paint.self)
        } throws: { error in
            "\(error)".contains("Paint") && "\(error)".contains("CustomSchema or SchemaEnum")
        }
    }
}
