/// The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json: a Codable value
/// written by the one JSON writer. Its schemas are derived from the types the server encodes
/// and the CLI decodes (``SchemaReflector``); its paths and parameters are listed in
/// `OpenAPIDocument+Paths.swift`. A router test checks that every API route is described and
/// every described path is served; the live contract test validates real answers against it.
public struct OpenAPIDocument: Encodable, Sendable {
    public struct Info: Encodable, Sendable {
        public var title: String
        public var version: String
        public var description: String
    }

    /// The operations of one path.
    public struct PathItem: Encodable, Sendable {
        public var get: Operation?
        public var put: Operation?
        public var post: Operation?
        public var delete: Operation?
        public var patch: Operation?
    }

    public struct Operation: Encodable, Sendable {
        public var summary: String
        public var operationId: String
        public var parameters: [Parameter]?
        public var requestBody: RequestBody?
        public var responses: [String: Response]
    }

    public struct RequestBody: Encodable, Sendable {
        public var required = true
        public var content: [String: [String: Schema]]

        static func json(_ schema: Schema) -> RequestBody { RequestBody(content: ["application/json": ["schema": schema]]) }
    }

    /// A parameter, or a reference to one under components.
    public enum Parameter: Encodable, Sendable {
        case reference(String)
        case query(String, Schema, description: String? = nil)
        /// A query parameter without which the call is refused (400).
        case requiredQuery(String, Schema, description: String? = nil)
        case path(String, Schema)

        enum CodingKeys: String, CodingKey { case ref = "$ref", name, `in`, required, schema, description }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .reference(let name):
                try container.encode("#/components/parameters/\(name)", forKey: .ref)
            case .query(let name, let schema, let description), .requiredQuery(let name, let schema, let description):
                try container.encode(name, forKey: .name)
                try container.encode("query", forKey: .in)
                if case .requiredQuery = self { try container.encode(true, forKey: .required) }
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
    public enum Response: Encodable, Sendable {
        case reference(String)
        case json(String, Schema)

        enum CodingKeys: String, CodingKey { case ref = "$ref", description, content }

        public func encode(to encoder: any Encoder) throws {
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

    /// The CSRF header: not required by the document, because it is required only of a caller
    /// signed in with the web UI's session cookie (a call with an API token needs none, and a
    /// cookie call without it is a 403).
    public struct HeaderParameter: Encodable, Sendable {
        public var name: String
        public var `in` = "header"
        public var required = false
        public var description = "With the web UI's session cookie: the csrfToken of GET /api/v1/me (else 403). Not needed with an API token (Authorization: Bearer)."
        public var schema = Schema.string
    }

    public struct Components: Encodable, Sendable {
        public var parameters: [String: PathOrHeader]
        public var responses: [String: Response]
        public var schemas: [String: Schema]
    }

    /// What components.parameters holds: path parameters and the CSRF header.
    public enum PathOrHeader: Encodable, Sendable {
        case path(String)
        case header(String)

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .path(let name): try Parameter.path(name, .string).encode(to: encoder)
            case .header(let name): try HeaderParameter(name: name).encode(to: encoder)
            }
        }
    }

    public var openapi = "3.1.0"
    public var info: Info
    public var paths: [String: PathItem]
    public var components: Components
}
