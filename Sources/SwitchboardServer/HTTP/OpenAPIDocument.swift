/// The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Switchboard API",
        "version": "1.0.0",
        "description": "Every connector over every Kafka Connect cluster, from one snapshot refreshed on an interval. Every signed-in user may read; only members of a connector's owning team and platform admins may act. State-changing calls need the X-CSRF-Token header from GET /api/v1/me. Secret config values are masked."
      },
      "paths": {
        "/api/v1/me": {"get": {"summary": "Who is signed in, their teams, and the CSRF token for actions", "operationId": "me", "responses": {"200": {"description": "The user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/connectors": {"get": {"summary": "Connectors over all clusters, failed and degraded first", "operationId": "listConnectors",
          "parameters": [
            {"name": "team", "in": "query", "schema": {"type": "string"}},
            {"name": "cluster", "in": "query", "schema": {"type": "string"}},
            {"name": "state", "in": "query", "description": "RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, or DEGRADED (running with a failed task)", "schema": {"type": "string"}},
            {"name": "name", "in": "query", "description": "A substring of the name", "schema": {"type": "string"}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 5000, "default": 100}}],
          "responses": {"200": {"description": "A page of connectors", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectorPage"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/clusters": {"get": {"summary": "Every cluster: reachability, workers, plugins, version", "operationId": "listClusters", "responses": {"200": {"description": "Clusters", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Cluster"}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/clusters/{cluster}": {"get": {"summary": "One cluster", "operationId": "getCluster", "parameters": [{"$ref": "#/components/parameters/Cluster"}], "responses": {"200": {"description": "The cluster", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cluster"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/clusters/{cluster}/connectors/{connector}": {"get": {"summary": "One connector: tasks, traces, masked config, drift, audit", "operationId": "getConnector", "parameters": [{"$ref": "#/components/parameters/Cluster"}, {"$ref": "#/components/parameters/Connector"}], "responses": {"200": {"description": "The connector", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConnectorDetail"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/clusters/{cluster}/connectors/{connector}/actions/{action}": {"post": {"summary": "Restart, pause, resume or stop a connector (owners and admins)", "operationId": "actOnConnector",
          "parameters": [{"$ref": "#/components/parameters/Cluster"}, {"$ref": "#/components/parameters/Connector"},
            {"name": "action", "in": "path", "required": true, "schema": {"type": "string", "enum": ["restart", "pause", "resume", "stop"]}},
            {"name": "includeTasks", "in": "query", "schema": {"type": "boolean"}},
            {"name": "onlyFailed", "in": "query", "schema": {"type": "boolean"}},
            {"$ref": "#/components/parameters/CSRF"}],
          "responses": {"200": {"description": "Sent to Connect", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Done"}}}}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "502": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/clusters/{cluster}/connectors/{connector}/tasks/{task}/restart": {"post": {"summary": "Restart one task (owners and admins)", "operationId": "restartTask",
          "parameters": [{"$ref": "#/components/parameters/Cluster"}, {"$ref": "#/components/parameters/Connector"}, {"name": "task", "in": "path", "required": true, "schema": {"type": "integer"}}, {"$ref": "#/components/parameters/CSRF"}],
          "responses": {"200": {"description": "Sent to Connect", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Done"}}}}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "502": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/teams": {"get": {"summary": "Catalog teams and their connectors", "operationId": "listTeams", "responses": {"200": {"description": "Teams", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Team"}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/teams/{team}": {"get": {"summary": "One team", "operationId": "getTeam", "parameters": [{"name": "team", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "The team", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Team"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/audit": {"get": {"summary": "The audit log, newest first", "operationId": "audit", "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}], "responses": {"200": {"description": "Entries", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}}
      },
      "components": {
        "parameters": {
          "Cluster": {"name": "cluster", "in": "path", "required": true, "schema": {"type": "string"}},
          "Connector": {"name": "connector", "in": "path", "required": true, "schema": {"type": "string"}},
          "CSRF": {"name": "X-CSRF-Token", "in": "header", "required": true, "schema": {"type": "string"}}
        },
        "responses": {
          "Unauthorized": {"description": "Not signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
          "Done": {"type": "object", "required": ["result", "action"], "properties": {"result": {"type": "string"}, "action": {"type": "string"}}},
          "User": {"type": "object", "required": ["name", "groups", "source"], "properties": {"name": {"type": "string"}, "groups": {"type": "array", "items": {"type": "string"}}, "email": {"type": "string"}, "source": {"type": "string", "enum": ["proxy", "local", "insecure-development"]}}},
          "Me": {"type": "object", "required": ["user", "admin", "teams", "csrfToken"], "properties": {"user": {"$ref": "#/components/schemas/User"}, "admin": {"type": "boolean"}, "teams": {"type": "array", "items": {"type": "string"}}, "csrfToken": {"type": "string"}}},
          "Counts": {"type": "object", "properties": {"total": {"type": "integer"}, "running": {"type": "integer"}, "paused": {"type": "integer"}, "stopped": {"type": "integer"}, "failed": {"type": "integer"}, "degraded": {"type": "integer"}, "other": {"type": "integer"}}},
          "ConnectorSummary": {"type": "object", "required": ["name", "cluster", "state", "degraded", "tasksRunning", "tasksTotal", "managed", "ownership", "drifts"], "properties": {"name": {"type": "string"}, "cluster": {"type": "string"}, "team": {"type": "string"}, "state": {"type": "string"}, "degraded": {"type": "boolean"}, "type": {"type": "string"}, "connectorClass": {"type": "string"}, "tasksRunning": {"type": "integer"}, "tasksTotal": {"type": "integer"}, "managed": {"type": "boolean"}, "ownership": {"type": "string", "enum": ["managed", "deleted-by-next-apply", "protected", "kept-team-folder-incomplete", "unmanaged"], "description": "What the next apply does with it"}, "drifts": {"type": "boolean"}}},
          "ConnectorPage": {"type": "object", "required": ["total", "offset", "limit", "counts", "connectors", "clusters", "snapshotTakenAt"], "properties": {"total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"}, "counts": {"$ref": "#/components/schemas/Counts"}, "connectors": {"type": "array", "items": {"$ref": "#/components/schemas/ConnectorSummary"}}, "clusters": {"type": "array", "items": {"$ref": "#/components/schemas/Cluster"}}, "snapshotTakenAt": {"type": "string", "format": "date-time"}}},
          "Cluster": {"type": "object", "required": ["name", "reachable", "connectors", "workers", "plugins"], "properties": {"name": {"type": "string"}, "reachable": {"type": "boolean"}, "readAt": {"type": "string", "format": "date-time"}, "lastError": {"type": "string"}, "connectVersion": {"type": "string"}, "connectors": {"type": "integer"}, "workers": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "connectors": {"type": "integer"}, "tasks": {"type": "integer"}}}}, "plugins": {"type": "array", "items": {"type": "object", "properties": {"className": {"type": "string"}, "type": {"type": "string"}, "version": {"type": "string"}}}}}},
          "Task": {"type": "object", "required": ["id", "state"], "properties": {"id": {"type": "integer"}, "state": {"type": "string"}, "worker": {"type": "string"}, "trace": {"type": "string"}}},
          "KeyChange": {"type": "object", "required": ["key", "kind"], "properties": {"key": {"type": "string"}, "kind": {"type": "string", "enum": ["added", "removed", "changed"]}, "old": {"type": "string"}, "new": {"type": "string"}}},
          "Connector": {"type": "object", "required": ["name", "cluster", "state", "tasks", "config", "managed", "ownership", "drift"], "properties": {"name": {"type": "string"}, "cluster": {"type": "string"}, "team": {"type": "string"}, "state": {"type": "string"}, "type": {"type": "string"}, "connectorClass": {"type": "string"}, "worker": {"type": "string"}, "trace": {"type": "string"}, "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}, "config": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Secret values are (secret)"}, "source": {"type": "object", "properties": {"file": {"type": "string"}, "line": {"type": "integer"}}}, "managed": {"type": "boolean"}, "ownership": {"type": "string", "enum": ["managed", "deleted-by-next-apply", "protected", "kept-team-folder-incomplete", "unmanaged"], "description": "What the next apply does with it"}, "drift": {"type": "array", "items": {"$ref": "#/components/schemas/KeyChange"}}}},
          "ConnectorDetail": {"type": "object", "required": ["connector", "canAct", "audit"], "properties": {"connector": {"$ref": "#/components/schemas/Connector"}, "canAct": {"type": "boolean"}, "audit": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}},
          "Team": {"type": "object", "required": ["name", "members", "receivers", "connectors"], "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "members": {"type": "object", "properties": {"users": {"type": "array", "items": {"type": "string"}}, "groups": {"type": "array", "items": {"type": "string"}}}}, "receivers": {"type": "array", "items": {"type": "string"}}, "connectors": {"type": "array", "items": {"$ref": "#/components/schemas/ConnectorSummary"}}}},
          "AuditEntry": {"type": "object", "required": ["at", "user", "action", "cluster", "connector", "outcome"], "properties": {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "user": {"type": "string"}, "action": {"type": "string"}, "cluster": {"type": "string"}, "connector": {"type": "string"}, "task": {"type": "integer"}, "outcome": {"type": "string", "enum": ["succeeded", "failed", "denied"]}, "detail": {"type": "string"}}}
        }
      }
    }
    """#
}
