import SwitchboardCore

/// The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json: a Codable value
/// written by the one JSON writer. `OpenAPITests` checks that every API route the router
/// registers is described here and every path described here is served.
struct OpenAPIDocument: Encodable, Sendable {
    struct Info: Encodable, Sendable {
        var title: String
        var version: String
        var description: String
    }

    /// The operations of one path.
    struct PathItem: Encodable, Sendable {
        var get: Operation?
        var post: Operation?
        var delete: Operation?
        var patch: Operation?
    }

    struct Operation: Encodable, Sendable {
        var summary: String
        var operationId: String
        var parameters: [Parameter]?
        var requestBody: RequestBody?
        var responses: [String: Response]
    }

    struct RequestBody: Encodable, Sendable {
        var required = true
        var content: [String: [String: Schema]]

        static func json(_ schema: Schema) -> RequestBody { RequestBody(content: ["application/json": ["schema": schema]]) }
    }

    /// A parameter, or a reference to one under components.
    enum Parameter: Encodable, Sendable {
        case reference(String)
        case query(String, Schema, description: String? = nil)
        case path(String, Schema)

        enum CodingKeys: String, CodingKey { case ref = "$ref", name, `in`, required, schema, description }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .reference(let name):
                try container.encode("#/components/parameters/\(name)", forKey: .ref)
            case .query(let name, let schema, let description):
                try container.encode(name, forKey: .name)
                try container.encode("query", forKey: .in)
                try container.encode(schema, forKey: .schema)
                try container.encodeIfPresent(description, forKey: .description)
            case .path(let name, let schema):
                try container.encode(name, forKey: .name)
                try container.encode("path", forKey: .in)
                try container.encode(true, forKey: .required)
                try container.encode(schema, forKey: .schema)
            }
        }
    }

    /// A response, or a reference to one under components.
    enum Response: Encodable, Sendable {
        case reference(String)
        case json(String, Schema)

        enum CodingKeys: String, CodingKey { case ref = "$ref", description, content }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .reference(let name):
                try container.encode("#/components/responses/\(name)", forKey: .ref)
            case .json(let description, let schema):
                try container.encode(description, forKey: .description)
                try container.encode(["application/json": ["schema": schema]], forKey: .content)
            }
        }
    }

    struct HeaderParameter: Encodable, Sendable {
        var name: String
        var `in` = "header"
        var required = true
        var schema = Schema.string
    }

    struct Components: Encodable, Sendable {
        var parameters: [String: PathOrHeader]
        var responses: [String: Response]
        var schemas: [String: Schema]
    }

    /// What components.parameters holds: path parameters and the CSRF header.
    enum PathOrHeader: Encodable, Sendable {
        case path(String)
        case header(String)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .path(let name): try Parameter.path(name, .string).encode(to: encoder)
            case .header(let name): try HeaderParameter(name: name).encode(to: encoder)
            }
        }
    }

    var openapi = "3.1.0"
    var info: Info
    var paths: [String: PathItem]
    var components: Components
}

/// A JSON Schema, as much of it as the document uses.
final class Schema: Encodable, Sendable {
    let type: String?
    let format: String?
    let description: String?
    let reference: String?
    let required: [String]?
    let properties: [String: Schema]?
    let items: Schema?
    let additionalProperties: Schema?
    let values: [String]?
    let minimum: Int?
    let maximum: Int?
    let defaultValue: Int?

    init(type: String? = nil, format: String? = nil, description: String? = nil, reference: String? = nil, required: [String]? = nil,
         properties: [String: Schema]? = nil, items: Schema? = nil, additionalProperties: Schema? = nil, values: [String]? = nil,
         minimum: Int? = nil, maximum: Int? = nil, defaultValue: Int? = nil) {
        self.type = type
        self.format = format
        self.description = description
        self.reference = reference
        self.required = required
        self.properties = properties
        self.items = items
        self.additionalProperties = additionalProperties
        self.values = values
        self.minimum = minimum
        self.maximum = maximum
        self.defaultValue = defaultValue
    }

    enum CodingKeys: String, CodingKey {
        case type, format, description, reference = "$ref", required, properties, items, additionalProperties, values = "enum", minimum, maximum, defaultValue = "default"
    }

    static let string = Schema(type: "string")
    static let integer = Schema(type: "integer")
    static let boolean = Schema(type: "boolean")
    static let dateTime = Schema(type: "string", format: "date-time")
    static let strings = Schema.array(.string)

    static func ref(_ name: String) -> Schema { Schema(reference: "#/components/schemas/\(name)") }
    static func array(_ items: Schema) -> Schema { Schema(type: "array", items: items) }
    static func oneOf(_ values: [String], description: String? = nil) -> Schema { Schema(type: "string", description: description, values: values) }
    static func object(required: [String] = [], _ properties: [String: Schema]) -> Schema {
        Schema(type: "object", required: required.isEmpty ? nil : required, properties: properties)
    }
}

extension OpenAPIDocument {
    static var standard: OpenAPIDocument {
        OpenAPIDocument(
            info: Info(
                title: "Switchboard API", version: "1.0.0",
                description: "Every connector over every Kafka Connect cluster, from one snapshot refreshed on an interval. Every signed-in user has a role on every connector (viewer: states; reader: also config, masked, and offsets; operator: also restart, pause, resume, stop; owner: also offsets; admin: everything), from team.yaml grants and switchboard.yaml's access settings; a refusal is a 403 and is audited. Authenticate with the session cookie of the web UI (state-changing calls then need X-CSRF-Token) or with a personal API token as Authorization: Bearer sbt_... (made on the /tokens page; no CSRF token needed). State-changing calls need the X-CSRF-Token header from GET /api/v1/me. Secret config values are masked."),
            paths: paths,
            components: Components(
                parameters: ["Cluster": .path("cluster"), "Connector": .path("connector"), "CSRF": .header("X-CSRF-Token")],
                responses: ["Unauthorized": .json("Not signed in", .ref("Error")), "Error": .json("An error", .ref("Error"))],
                schemas: schemas))
    }

    static func read(_ summary: String, _ id: String, _ parameters: [Parameter]? = nil, _ description: String, _ schema: Schema, notFound: Bool = false) -> PathItem {
        var responses: [String: Response] = ["200": .json(description, schema), "401": .reference("Unauthorized")]
        if notFound { responses["404"] = .reference("Error") }
        return PathItem(get: Operation(summary: summary, operationId: id, parameters: parameters, responses: responses))
    }

    static func act(_ summary: String, _ id: String, _ parameters: [Parameter]) -> PathItem {
        var responses: [String: Response] = ["200": .json("Sent to Connect", .ref("Done")), "401": .reference("Unauthorized")]
        for status in ["400", "403", "404", "502"] { responses[status] = .reference("Error") }
        return PathItem(post: Operation(summary: summary, operationId: id, parameters: parameters, responses: responses))
    }

    /// KIP-875: read (readers and up); reset and alter (owners and up; the connector must be STOPPED, else 409).
    static func offsets(_ target: [Parameter]) -> PathItem {
        var change: [String: Response] = ["200": .json("Changed; the offsets before and after", .ref("Done")), "401": .reference("Unauthorized")]
        for status in ["400", "403", "404", "409", "502"] { change[status] = .reference("Error") }
        var item = read("A connector's offsets: a sink's per topic-partition, a source's as its own maps", "getOffsets", target, "The offsets", .ref("Offsets"), notFound: true)
        item.get?.responses["403"] = .reference("Error")
        item.delete = Operation(summary: "Reset every offset (owners; STOPPED only)", operationId: "resetOffsets", parameters: target + [.reference("CSRF")], responses: change)
        item.patch = Operation(summary: "Alter the offsets of the partitions given; a null offset removes one (owners; STOPPED only)", operationId: "alterOffsets",
                               parameters: target + [.reference("CSRF")], requestBody: .json(.ref("Offsets")), responses: change)
        return item
    }

    /// Personal API tokens: listed by anyone signed in, made only with a session (a token cannot make another).
    static var tokens: PathItem {
        var item = read("Your personal API tokens (never the tokens themselves)", "listTokens", nil, "Tokens", .array(.ref("TokenSummary")))
        item.post = Operation(summary: "Make a token for yourself; the answer is the only time it is shown", operationId: "createToken", parameters: [.reference("CSRF")],
                              requestBody: .json(.object(required: ["name"], ["name": .string, "days": Schema(type: "integer", minimum: 1, maximum: APITokens.maxDays, defaultValue: 30)])),
                              responses: ["201": .json("The token", .object(required: ["token", "id", "name", "expiresAt"], ["token": .string, "id": .integer, "name": .string, "expiresAt": .dateTime])),
                                          "400": .reference("Error"), "401": .reference("Unauthorized"), "403": .reference("Error")])
        return item
    }

    static var paths: [String: PathItem] {
        let target: [Parameter] = [.reference("Cluster"), .reference("Connector")]
        return [
            "/api/openapi.json": PathItem(get: Operation(summary: "This document", operationId: "openapi", responses: ["200": .json("OpenAPI 3.1", .object([:]))])),
            "/api/v1/me": read("Who is signed in, their teams, and the CSRF token for actions", "me", nil, "The user", .ref("Me")),
            "/api/v1/connectors": read("Connectors over all clusters, failed and degraded first", "listConnectors", [
                .query("team", .string), .query("cluster", .string),
                .query("state", .string, description: "A health: FAILED (also running with no task running), DEGRADED (a task failed), RUNNING, PAUSED, STOPPED, UNASSIGNED"),
                .query("name", .string, description: "A substring of the name"),
                .query("offset", Schema(type: "integer", minimum: 0)),
                .query("limit", Schema(type: "integer", minimum: 1, maximum: 5000, defaultValue: 100)),
            ], "A page of connectors", .ref("ConnectorPage")),
            "/api/v1/clusters": read("Every cluster: reachability, workers, plugins, version", "listClusters", nil, "Clusters", .array(.ref("Cluster"))),
            "/api/v1/clusters/{cluster}": read("One cluster", "getCluster", [.reference("Cluster")], "The cluster", .ref("Cluster"), notFound: true),
            "/api/v1/clusters/{cluster}/connectors/{connector}": read("One connector: tasks, traces, masked config, drift, audit", "getConnector", target,
                                                                      "The connector", .ref("ConnectorDetail"), notFound: true),
            "/api/v1/clusters/{cluster}/connectors/{connector}/actions/{action}": act("Restart, pause, resume or stop a connector (operators and up; a cluster can ask more)", "actOnConnector", target + [
                .path("action", .oneOf(["restart", "pause", "resume", "stop"])), .query("includeTasks", .boolean), .query("onlyFailed", .boolean), .reference("CSRF"),
            ]),
            "/api/v1/clusters/{cluster}/connectors/{connector}/tasks/{task}/restart": act("Restart one task (operators and up)", "restartTask", target + [
                .path("task", .integer), .reference("CSRF"),
            ]),
            "/api/v1/clusters/{cluster}/connectors/{connector}/offsets": offsets(target),
            "/api/v1/clusters/{cluster}/connectors/{connector}/history": read(
                "A connector's state changes, lag and throughput over the last hours (from Prometheus with serve --prometheus-url, else from memory)", "getHistory",
                target + [.query("hours", Schema(type: "number", description: "From 0.25 to 24; default 3"))], "The series", .ref("FlowSeries"), notFound: true),
            "/api/v1/lineage": read("Where data goes: connectors -> topics -> connectors over every cluster and team, for the platform or one scope", "getLineage", [
                .query("team", .string, description: "The team's connectors, their topics and every connector on those topics"),
                .query("connector", .string, description: "cluster/name: the connector, its topics and every connector on them"),
                .query("topic", .string, description: "A topic name: its producers and consumers"),
            ], "The graph", .ref("Lineage")),
            "/api/v1/tokens": tokens,
            "/api/v1/tokens/{id}": PathItem(delete: Operation(summary: "Revoke one of your tokens", operationId: "revokeToken", parameters: [.path("id", .integer), .reference("CSRF")],
                                                              responses: ["200": .json("Revoked", .object(["result": .string])), "401": .reference("Unauthorized"), "403": .reference("Error"), "404": .reference("Error")])),
            "/api/v1/gitops": read("The GitOps controller (a server following a repository): the commit served or refused, and per cluster what was applied, its result and what is pending",
                                   "getGitOps", nil, "The controller's status", .ref("GitOpsStatus"), notFound: true),
            "/api/v1/gitops/clusters/{cluster}/apply": PathItem(post: Operation(
                summary: "Apply the cluster's pending plan at the next sync, whatever its mode (platform admins)", operationId: "applyGitOpsPlan",
                parameters: [.reference("Cluster"), .reference("CSRF")],
                responses: ["202": .json("Queued", .object(["status": .string, "detail": .string])), "401": .reference("Unauthorized"), "403": .reference("Error"), "404": .reference("Error")])),
            "/api/v1/teams": read("Catalog teams and their connectors", "listTeams", nil, "Teams", .array(.ref("Team"))),
            "/api/v1/teams/{team}": read("One team", "getTeam", [.path("team", .string)], "The team", .ref("Team"), notFound: true),
            "/api/v1/audit": read("The audit log, newest first", "audit", [.query("limit", Schema(type: "integer", minimum: 1, maximum: 1000))],
                                  "Entries", .array(.ref("AuditEntry"))),
        ]
    }

    static var schemas: [String: Schema] {
        let ownership = Schema.oneOf(Ownership.allCases.map(\.rawValue), description: "What the next apply does with it")
        let role = Schema.oneOf(Role.allCases.map(\.rawValue), description: "A role: viewer < reader < operator < owner < admin")
        return [
            "Error": .object(required: ["error"], ["error": .string]),
            "Commit": .object(required: ["hash", "author", "subject", "date"], ["hash": .string, "author": .string, "subject": .string, "date": .dateTime]),
            "GitOpsStatus": .object(required: ["repository", "branch", "commitsBehind", "clusters"], [
                "repository": .string, "branch": .string, "folder": .string, "fetched": .ref("Commit"), "fetchedAt": .dateTime, "fetchError": .string,
                "current": .ref("Commit"), "lastSyncAt": .dateTime, "commitsBehind": .integer,
                "rejected": .object(required: ["commit", "at", "problems"], ["commit": .ref("Commit"), "at": .dateTime, "problems": .strings]),
                "clusters": .array(.object(required: ["cluster", "mode", "drift", "result", "outcomes", "pending", "drifting", "commitsBehind"], [
                    "cluster": .string, "mode": .oneOf(GitOpsSettings.Mode.allCases.map(\.rawValue)), "drift": .oneOf(GitOpsSettings.Drift.allCases.map(\.rawValue)),
                    "result": .oneOf(ClusterSync.Result.allCases.map(\.rawValue)), "detail": .string,
                    "applied": .ref("Commit"), "appliedAt": .dateTime, "matched": .ref("Commit"), "checkedAt": .dateTime, "commitsBehind": .integer,
                    "outcomes": .array(.object(required: ["connector", "action", "result"], ["connector": .string, "action": .string, "result": .string, "detail": .string])),
                    "pending": Schema(type: "array", description: "Changes a sync would make now, as plan --output json shows them (key changes only for connectors whose config you may read)", items: .object([:])),
                    "drifting": .strings,
                ])),
            ]),
            "Done": .object(required: ["result", "action"], [
                "result": .string, "action": .string,
                "offsets": .object(required: ["before", "message"], ["before": .ref("Offsets"), "after": .ref("Offsets"), "message": .string]),
            ]),
            "Offsets": .object(required: ["offsets"], [
                "offsets": .array(.object(required: ["partition"], [
                    "partition": Schema(type: "object", description: "A sink: kafka_topic and kafka_partition; a source: the connector's own map"),
                    "offset": Schema(type: "object", description: "A sink: kafka_offset; a source: the connector's own map; null removes it"),
                ])),
            ]),
            "User": .object(required: ["name", "groups", "source"], [
                "name": .string, "groups": .strings, "email": .string, "source": .oneOf(["proxy", "local", "insecure-development"]),
            ]),
            "Me": .object(required: ["user", "admin", "teams", "roles", "csrfToken"], [
                "user": .ref("User"), "admin": .boolean, "teams": Schema(type: "array", description: "The teams the user owns", items: .string),
                "roles": Schema(type: "object", description: "Every team that grants the user a role, with the role", additionalProperties: role), "csrfToken": .string,
            ]),
            "Counts": .object(["total": .integer, "running": .integer, "paused": .integer, "stopped": .integer, "failed": .integer, "degraded": .integer, "other": .integer]),
            "ConnectorSummary": .object(required: ["name", "cluster", "state", "health", "degraded", "tasksRunning", "tasksTotal", "managed", "ownership", "drifts"], [
                "name": .string, "cluster": .string, "team": .string, "state": .string,
                "health": Schema(type: "string", description: "FAILED (also a connector meant to run with no task running), DEGRADED (a task failed), or state"),
                "degraded": .boolean, "type": .string, "connectorClass": .string,
                "tasksRunning": .integer, "tasksTotal": .integer, "managed": .boolean, "ownership": ownership, "drifts": .boolean,
                "autoRestart": .ref("AutoRestart"),
            ]),
            "AutoRestart": .object(required: ["restarts", "maxRestarts", "gaveUp"], [
                "restarts": .integer, "maxRestarts": .integer, "gaveUp": .boolean, "lastRestartAt": .dateTime, "nextRestartAt": .dateTime,
            ]),
            "ConnectorPage": .object(required: ["total", "offset", "limit", "counts", "connectors", "clusters", "snapshotTakenAt"], [
                "total": .integer, "offset": .integer, "limit": .integer, "counts": .ref("Counts"),
                "connectors": .array(.ref("ConnectorSummary")), "clusters": .array(.ref("Cluster")), "snapshotTakenAt": .dateTime,
            ]),
            "Cluster": .object(required: ["name", "reachable", "connectors", "workers", "plugins"], [
                "name": .string, "reachable": .boolean, "readAt": .dateTime, "lastError": .string, "connectVersion": .string, "connectors": .integer,
                "workers": .array(.object(["id": .string, "connectors": .integer, "tasks": .integer])),
                "plugins": .array(.object(["className": .string, "type": .string, "version": .string])),
            ]),
            "Task": .object(required: ["id", "state"], ["id": .integer, "state": .string, "worker": .string, "trace": .string]),
            "KeyChange": .object(required: ["key", "kind"], ["key": .string, "kind": .oneOf(["added", "removed", "changed"]), "old": .string, "new": .string]),
            "Connector": .object(required: ["name", "cluster", "state", "tasks", "config", "managed", "ownership", "drift"], [
                "name": .string, "cluster": .string, "team": .string, "state": .string, "type": .string, "connectorClass": .string, "worker": .string, "trace": .string,
                "tasks": .array(.ref("Task")),
                "config": Schema(type: "object", description: "Secret values are (secret)", additionalProperties: .string),
                "source": .object(["file": .string, "line": .integer]),
                "managed": .boolean, "ownership": ownership, "drift": .array(.ref("KeyChange")),
                "autoRestart": .object(["enabled": .boolean, "maxRestarts": .integer, "unitSeconds": .integer, "healthyAfterSeconds": .integer]),
                "restartStatus": .ref("AutoRestart"),
            ]),
            "ConnectorDetail": .object(required: ["connector", "canAct", "role", "capabilities", "audit"], [
                "connector": .ref("Connector"), "canAct": .boolean, "role": role,
                "capabilities": Schema(type: "array", description: "What the user may do here; without view-config the connector comes without config, traces and drift", items: .oneOf(Capability.allCases.map(\.rawValue))),
                "audit": .array(.ref("AuditEntry")),
                "auditError": Schema(type: "string", description: "Why the audit rows are missing, when the audit log could not be read"),
            ]),
            "Team": .object(required: ["name", "members", "receivers", "connectors"], [
                "name": .string, "description": .string, "members": .object(["users": .strings, "groups": .strings]),
                "receivers": .strings, "connectors": .array(.ref("ConnectorSummary")),
            ]),
            "Lineage": .object(required: ["connectors", "topics", "edges", "crossTeamPaths", "withoutTopics"], [
                "connectors": .array(.object(required: ["id", "name", "cluster", "type", "health"], ["id": .string, "name": .string, "cluster": .string, "team": .string, "type": .oneOf(["source", "sink"]), "health": .string])),
                "topics": .array(.object(required: ["id", "name", "kafka"], ["id": .string, "name": .string, "kafka": Schema(type: "string", description: "The brokers (kafka.bootstrapServers), or 'cluster <name>' when unknown")])),
                "edges": .array(.object(required: ["from", "to", "seen", "crossTeam"], [
                    "from": .string, "to": .string, "seen": Schema(type: "boolean", description: "Connect reported the topic; false: only the config names it"),
                    "crossTeam": Schema(type: "boolean", description: "On a path from one team's connector to another team's"),
                ])),
                "crossTeamPaths": .array(.object(required: ["source", "topic", "sink"], ["source": .string, "topic": .string, "sink": .string, "sourceTeam": .string, "sinkTeam": .string])),
                "withoutTopics": Schema(type: "array", description: "Connectors in scope with no known topic", items: .string),
            ]),
            "FlowSeries": .object(required: ["samples", "states", "source"], [
                "samples": .array(.object(required: ["at"], ["at": .dateTime, "lag": .integer, "recordsPerSecond": Schema(type: "number")])),
                "states": .array(.object(required: ["at", "health"], ["at": .dateTime, "health": .string])),
                "source": .oneOf(["memory", "prometheus"]),
                "problem": Schema(type: "string", description: "Why Prometheus was not used, when it failed"),
            ]),
            "TokenSummary": .object(required: ["id", "name", "createdAt", "expiresAt"], [
                "id": .integer, "name": .string, "createdAt": .dateTime, "expiresAt": .dateTime, "revokedAt": .dateTime, "lastUsedAt": .dateTime,
            ]),
            "AuditEntry": .object(required: ["at", "user", "action", "cluster", "connector", "outcome"], [
                "id": .integer, "at": .dateTime, "user": .string, "action": .string, "cluster": .string, "connector": .string, "task": .integer,
                "outcome": .oneOf(["succeeded", "failed", "denied"]), "detail": .string,
                "offsetsBefore": Schema(type: "string", description: "Offset changes: the offsets before, as JSON"),
                "offsetsAfter": Schema(type: "string", description: "Offset changes: the offsets after, as JSON"),
            ]),
        ]
    }
}
