import ConnectClient
import SwitchboardCore

extension OpenAPIDocument {
    /// The document: every path of the JSON API with its parameters, and every answer's schema
    /// derived from the type the server sends. Fails, naming the type, when a type cannot be
    /// described (a test builds it, so that never reaches a server).
    public static func standard() throws -> OpenAPIDocument {
        let builder = Builder()
        let paths = try builder.paths()
        return OpenAPIDocument(
            info: Info(
                title: "Switchboard API", version: "1.0.0",
                description: "Every connector over every Kafka Connect cluster, from one snapshot refreshed on an interval. Every signed-in user has a role on every connector (viewer: states; reader: also config, masked, and offsets; operator: also restart, pause, resume, stop; owner: also offsets; admin: everything), from team.yaml grants and switchboard.yaml's access settings; a refusal is a 403 and is audited. Authenticate with the session cookie of the web UI (state-changing calls then need X-CSRF-Token) or with a personal API token as Authorization: Bearer sbt_... (made on the /tokens page; no CSRF token needed). State-changing calls need the X-CSRF-Token header from GET /api/v1/me. Secret config values are masked."),
            paths: paths,
            components: Components(
                parameters: ["Cluster": .path("cluster"), "Connector": .path("connector"), "CSRF": .header("X-CSRF-Token")],
                responses: ["Unauthorized": .json("Not signed in", try builder.schema(APIError.self)), "Error": .json("An error", try builder.schema(APIError.self))],
                schemas: builder.reflector.components))
    }

    /// Builds the paths with one reflector, which collects the named schemas as it goes.
    final class Builder {
        let reflector = SchemaReflector()
        let target: [Parameter] = [.reference("Cluster"), .reference("Connector")]

        func schema<T: Decodable>(_ type: T.Type) throws -> Schema {
            try reflector.schema(for: type)
        }

        /// A read: 200 with `type`, 401 when not signed in, 404 with `notFound`, and the `errors` given.
        func read<T: Decodable>(_ summary: String, _ id: String, _ parameters: [Parameter]? = nil, _ description: String, _ type: T.Type, notFound: Bool = false,
                                errors: [String] = []) throws -> PathItem {
            var responses: [String: Response] = ["200": .json(description, try schema(type)), "401": .reference("Unauthorized")]
            if notFound { responses["404"] = .reference("Error") }
            for status in errors { responses[status] = .reference("Error") }
            return PathItem(get: Operation(summary: summary, operationId: id, parameters: parameters, responses: responses))
        }

        func act(_ summary: String, _ id: String, _ parameters: [Parameter]) throws -> PathItem {
            var responses: [String: Response] = ["200": .json("Sent to Connect", try schema(ActionDone.self)), "401": .reference("Unauthorized")]
            for status in ["400", "403", "404", "502"] { responses[status] = .reference("Error") }
            return PathItem(post: Operation(summary: summary, operationId: id, parameters: parameters, responses: responses))
        }

        /// KIP-875: read (readers and up); reset and alter (owners and up; the connector must be STOPPED, else 409).
        func offsets() throws -> PathItem {
            var change: [String: Response] = ["200": .json("Changed; the offsets before and after", try schema(ActionDone.self)), "401": .reference("Unauthorized")]
            for status in ["400", "403", "404", "409", "502"] { change[status] = .reference("Error") }
            var item = try read("A connector's offsets: a sink's per topic-partition, a source's as its own maps", "getOffsets", target, "The offsets", ConnectorOffsets.self, notFound: true,
                                errors: ["403", "502"])
            item.delete = Operation(summary: "Reset every offset (owners; STOPPED only)", operationId: "resetOffsets", parameters: target + [.reference("CSRF")], responses: change)
            item.patch = Operation(summary: "Alter the offsets of the partitions given; a null offset removes one (owners; STOPPED only)", operationId: "alterOffsets",
                                   parameters: target + [.reference("CSRF")], requestBody: .json(try schema(ConnectorOffsets.self)), responses: change)
            return item
        }

        /// Personal API tokens: listed by anyone signed in, made only with a session (a token cannot make another).
        func tokens() throws -> PathItem {
            var item = try read("Your personal API tokens (never the tokens themselves)", "listTokens", nil, "Tokens", [TokenSummary].self)
            item.post = Operation(summary: "Make a token for yourself; the answer is the only time it is shown", operationId: "createToken", parameters: [.reference("CSRF")],
                                  requestBody: .json(try schema(TokenRequest.self)),
                                  responses: ["201": .json("The token", try schema(TokenCreated.self)), "400": .reference("Error"), "401": .reference("Unauthorized"), "403": .reference("Error")])
            return item
        }

        func gitops() throws -> [String: PathItem] {
            [
                "/api/v1/gitops": try read("The GitOps controller (a server following a repository): the commit served or refused, and per cluster what was applied, its result and what is pending",
                                           "getGitOps", nil, "The controller's status", GitOpsStatus.self, notFound: true),
                "/api/v1/gitops/clusters/{cluster}/apply": PathItem(post: Operation(
                    summary: "Apply the cluster's pending plan at the next sync, whatever its mode (platform admins)", operationId: "applyGitOpsPlan",
                    parameters: [.reference("Cluster"), .reference("CSRF")],
                    responses: ["202": .json("Queued", try schema(Queued.self)), "401": .reference("Unauthorized"), "403": .reference("Error"), "404": .reference("Error"), "503": .reference("Error")])),
                "/api/v1/gitops/clusters/{cluster}/approvals": PathItem(post: Operation(
                    summary: "Approve, for your team, a change held because it stops or changes your connectors' input (owners of that team; policy.impact.crossTeam: require-approval)",
                    operationId: "approveImpact", parameters: [.reference("Cluster"), .reference("CSRF")], requestBody: .json(try schema(ImpactApprovalRequest.self)),
                    responses: ["202": .json("Recorded; the next sync applies the change once every affected team approved", try schema(Queued.self)), "400": .reference("Error"),
                                "401": .reference("Unauthorized"), "403": .reference("Error"), "404": .reference("Error"), "409": .reference("Error"), "503": .reference("Error")])),
            ]
        }

        /// A cluster's log levels: read by anyone signed in, set by admins and owners for their classes.
        func loggers() throws -> [String: PathItem] {
            var set: [String: Response] = ["200": .json("Set; the previous level is put back at revertAt", try schema(LogLevelChange.self)), "401": .reference("Unauthorized")]
            for status in ["400", "403", "404", "502", "503"] { set[status] = .reference("Error") }
            return [
                "/api/v1/clusters/{cluster}/loggers": try read("A cluster's loggers that have a level set, its Connect release, and the changes made through Switchboard", "getLoggers",
                                                               [.reference("Cluster")], "The loggers", ClusterLoggers.self, notFound: true, errors: ["502"]),
                "/api/v1/clusters/{cluster}/loggers/{logger}": PathItem(put: Operation(
                    summary: "Set a logger's level on every worker of the cluster for some minutes (admins; owners for their connectors' classes)", operationId: "setLogLevel",
                    parameters: [.reference("Cluster"), .path("logger", .string), .reference("CSRF")], requestBody: .json(try schema(LogLevelRequest.self)), responses: set)),
            ]
        }

        func maintenanceResponses() throws -> [String: Response] {
            var responses: [String: Response] = ["200": .json("The window, and what was done to each connector", try schema(MaintenanceAnswer.self)), "401": .reference("Unauthorized")]
            for status in ["403", "404", "409", "503"] { responses[status] = .reference("Error") }
            return responses
        }

        func connectors() throws -> [String: PathItem] {
            [
                "/api/v1/connectors": try read("Connectors over all clusters, failed and degraded first; paged with the cursor in `next`", "listConnectors", [
                    .query("team", .string), .query("cluster", .string),
                    .query("state", .string, description: "A health: FAILED (also running with no task running), DEGRADED (a task failed), RUNNING, PAUSED, STOPPED, UNASSIGNED"),
                    .query("name", .string, description: "Part of the name, any case"),
                    .query("class", .string, description: "Part of the connector class, any case (debezium, S3SinkConnector)"),
                    .query("topic", .string, description: "Part of a topic the connector reads or writes (declared in its config or reported by Connect), any case"),
                    .query("q", .string, description: "Searched in name, team, class and topics at once"),
                    .query("order", Schema(type: "string", values: ListCursor.Order.allCases.map(\.rawValue)),
                           description: "urgency (default: failed, degraded, then the rest) or name (<cluster>/<name>, an order no state change moves: for walking the whole list)"),
                    .query("after", .string, description: "The `next` of the previous page: the page after it, with the same filters and order, however the list changed since"),
                    .query("offset", Schema(type: "integer", minimum: 0), description: "Rows to skip (not with after; a cursor does not shift when rows are added or removed before it)"),
                    .query("limit", Schema(type: "integer", minimum: 1, maximum: 5000, defaultValue: 100)),
                ], "A page of connectors", ConnectorList.self, errors: ["400"]),
                "/api/v1/clusters/{cluster}/connectors/{connector}": try read("One connector: tasks, traces, masked config, drift, audit", "getConnector", target,
                                                                              "The connector", ConnectorDetail.self, notFound: true),
                "/api/v1/clusters/{cluster}/connectors/{connector}/actions/{action}": try act("Restart, pause, resume or stop a connector (operators and up; a cluster can ask more)", "actOnConnector", target + [
                    .path("action", .oneOf(["restart", "pause", "resume", "stop"])), .query("includeTasks", .boolean), .query("onlyFailed", .boolean), .reference("CSRF"),
                ]),
                "/api/v1/connectors/actions/{action}": PathItem(post: Operation(
                    summary: "Restart, pause, resume or stop every connector of a selection (at most 500): filtered as the list filters, or named in the body; each authorised with your role on it, refused ones audited",
                    operationId: "actOnConnectors", parameters: [
                        .path("action", Schema(type: "string", values: ["restart", "pause", "resume", "stop"])),
                        .query("team", .string), .query("cluster", .string), .query("state", .string), .query("name", .string),
                        .query("class", .string), .query("topic", .string), .query("q", .string),
                        .query("includeTasks", .boolean), .query("onlyFailed", .boolean),
                        .query("dryRun", .boolean, description: "Say what would be done and what you may not do; do nothing"),
                        .reference("CSRF"),
                    ], requestBody: RequestBody(required: false, content: ["application/json": ["schema": try schema(BulkSelection.self)]]),
                    responses: ["200": .json("What was done (or would be) to each connector", try schema(BulkActionAnswer.self)), "400": .reference("Error"),
                                "401": .reference("Unauthorized"), "403": .reference("Error")])),
                "/api/v1/maintenance": try read("The clusters in maintenance (their running connectors paused; auto-restart and GitOps hold off there)", "listMaintenance", nil,
                                                "Open maintenance windows", [MaintenanceWindow].self),
                "/api/v1/clusters/{cluster}/maintenance": PathItem(
                    post: Operation(summary: "Start maintenance of a cluster: pause its RUNNING connectors (platform admins)", operationId: "startMaintenance",
                                    parameters: [.reference("Cluster"), .reference("CSRF")], responses: try maintenanceResponses()),
                    delete: Operation(summary: "End maintenance: resume exactly the connectors it paused (platform admins)", operationId: "endMaintenance",
                                      parameters: [.reference("Cluster"), .reference("CSRF")], responses: try maintenanceResponses())),
                "/api/v1/clusters/{cluster}/connectors/{connector}/tasks/{task}/restart": try act("Restart one task (operators and up)", "restartTask", target + [
                    .path("task", Schema(type: "integer", minimum: 0)), .reference("CSRF"),
                ]),
                "/api/v1/clusters/{cluster}/connectors/{connector}/offsets": try offsets(),
                "/api/v1/clusters/{cluster}/connectors/{connector}/dead-letters": try read(
                    "A sink's dead-letter queue: records in it and their growth (everyone who sees the connector); the newest records' errors from Connect's headers (readers and up)",
                    "getDeadLetters", target, "The dead letters", DeadLetters.self, notFound: true),
                "/api/v1/clusters/{cluster}/connectors/{connector}/history": try read(
                    "A connector's state changes, lag and throughput over the last hours (from Prometheus with serve --prometheus-url, else from memory)", "getHistory",
                    target + [.query("hours", Schema(type: "number", description: "From 0.25 to 24; default 3"))], "The series", FlowSeries.self, notFound: true, errors: ["400"]),
            ]
        }

        func paths() throws -> [String: PathItem] {
            var paths: [String: PathItem] = [
                "/api/openapi.json": PathItem(get: Operation(summary: "This document", operationId: "openapi", responses: ["200": .json("OpenAPI 3.1", .anyObject)])),
                "/api/v1/me": try read("Who is signed in, their teams, and the CSRF token for actions", "me", nil, "The user", Me.self),
                "/api/v1/clusters": try read("Every cluster: reachability, workers, plugins, version", "listClusters", nil, "Clusters", [ClusterSummary].self),
                "/api/v1/clusters/{cluster}": try read("One cluster", "getCluster", [.reference("Cluster")], "The cluster", ClusterSummary.self, notFound: true),
                "/api/v1/lineage": try read("Where data goes: connectors -> topics -> connectors over every cluster and team, for the platform or one scope", "getLineage", [
                    .query("team", .string, description: "The team's connectors, their topics and every connector on those topics"),
                    .query("connector", .string, description: "cluster/name: the connector, its topics and every connector on them"),
                    .query("topic", .string, description: "A topic name: its producers and consumers"),
                ], "The graph", LineageGraph.self),
                "/api/v1/tokens": try tokens(),
                "/api/v1/tokens/{id}": PathItem(delete: Operation(summary: "Revoke one of your tokens", operationId: "revokeToken", parameters: [.path("id", .integer), .reference("CSRF")],
                                                                  responses: ["200": .json("Revoked", try schema(Acknowledged.self)), "401": .reference("Unauthorized"), "403": .reference("Error"), "404": .reference("Error")])),
                "/api/v1/teams": try read("Catalog teams and their connectors", "listTeams", nil, "Teams", [TeamSummary].self),
                "/api/v1/teams/{team}": try read("One team", "getTeam", [.path("team", .string)], "The team", TeamSummary.self, notFound: true),
                "/api/v1/audit": try read("The audit log, newest first", "audit", [.query("limit", Schema(type: "integer", minimum: 1, maximum: 1000))], "Entries", [AuditEntry].self,
                                          errors: ["400", "503"]),
            ]
            paths.merge(try connectors()) { $1 }
            paths.merge(try gitops()) { $1 }
            paths.merge(try loggers()) { $1 }
            paths["/api/v1/upgrade-check"] = try read("Before a rolling upgrade: every connector of a cluster checked against a cluster that runs the target release (platform admins)",
                                                      "upgradeCheck", [.requiredQuery("cluster", .string, description: "The cluster to upgrade"),
                                                                       .requiredQuery("target", .string, description: "A cluster that runs the release to upgrade to")],
                                                      "Each connector's verdict", UpgradeReport.self, errors: ["400", "403", "502"])
            return paths
        }
    }
}
