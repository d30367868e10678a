import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension ConnectClient {
    /// How a worker answered `GET /health`.
    public enum Health: Sendable, Equatable {
        case ready
        /// It answers but is not ready: 503 while it starts, or 404 from the web server before
        /// Connect's REST resources are registered. The text says what was seen.
        case starting(String)
    }

    /// `GET /health` (Connect 3.9+). Throws when no worker can be reached, when it refuses the
    /// credentials, and when the answers show that the URL is not a worker's REST root: a 404 in
    /// Connect's own error format (its REST API runs, but has no /health there) where `GET /`
    /// does not report a version older than 3.9 (which has no /health and counts as ready).
    public func health(worker: URL? = nil) async throws -> Health {
        do {
            _ = try await send(.GET, "/health", only: worker)
            return .ready
        } catch let error as ConnectError where error.status == 404 {
            if let info = try? await serverInfo(worker: worker), Self.predatesHealthEndpoint(info.version) {
                // `try?`: any failure of this second question means "not the old version".
                return .ready
            }
            guard case .http(_, let code?, _) = error.kind, code == 404 else {
                return .starting("answered 404 Not Found to GET /health")
            }
            throw ConnectError(kind: .badEndpoint(reason: "it answers 404 to GET /health and to GET / in Kafka Connect's error format: is this a Kafka Connect URL? Write the worker's REST root, such as http://connect:8083, without a path"),
                               request: error.request, endpoint: error.endpoint)
        } catch let error as ConnectError where error.status == 503 || error.status == 500 {
            return .starting("answered \(error.status ?? 0) to GET /health: \(error.message ?? "")")
        }
    }

    /// Whether the worker answers `GET /health` with 200 (see ``health(worker:)``).
    public func isHealthy(worker: URL? = nil) async throws -> Bool {
        try await health(worker: worker) == .ready
    }

    /// Whether a Connect version is older than 3.9 (the first with /health).
    static func predatesHealthEndpoint(_ version: String) -> Bool {
        ConnectRelease(version).map { !$0.supports(.health) } ?? false
    }

    /// `GET /`: version and commit of the answering worker.
    public func serverInfo(worker: URL? = nil) async throws -> ServerInfo {
        try await get(ServerInfo.self, "/", only: worker)
    }

    /// Every connector with its config, tasks and state, in ONE call
    /// (`GET /connectors?expand=info&expand=status`).
    public func connectors() async throws -> [String: ConnectorSnapshot] {
        try await connectors(reusing: nil).connectors
    }

    /// The bulk read, decoding only the connectors whose answer differs from `earlier`'s.
    public func connectors(reusing earlier: BulkRead?) async throws -> BulkRead {
        let request = "GET /connectors", endpoint = endpoint.urls[0].absoluteString
        return try await get("/connectors", query: [("expand", "info"), ("expand", "status")]) { response in
            do {
                return try response.body.withUnsafeReadableBytes { try BulkRead.decode($0, reusing: earlier) }
            } catch {
                throw ConnectError(kind: .malformedResponse(reason: "\(error)"), request: request, endpoint: endpoint)
            }
        }
    }

    /// Names of all connectors (`GET /connectors`).
    public func connectorNames() async throws -> [String] {
        try await get([String].self, "/connectors")
    }

    /// `GET /connectors/{name}/status`.
    public func status(of name: String) async throws -> ConnectorSnapshot.Status {
        try await get(ConnectorSnapshot.Status.self, "/connectors/\(escape(name))/status")
    }

    /// What `PUT /connectors/{name}/config` did.
    public enum PutOutcome: Sendable, Equatable { case created, updated }

    /// `PUT /connectors/{name}/config`: create or update. Not retried here; callers re-read state first.
    @discardableResult
    public func putConfig(_ name: String, config: [String: String]) async throws -> PutOutcome {
        let body = try JSONEncoder().encode(config)
        let response = try await send(.PUT, "/connectors/\(escape(name))/config", json: body)
        return response.status == 201 ? .created : .updated
    }

    /// `POST /connectors` with `initial_state`: creates a connector that starts running, paused or stopped.
    /// Answers 409 (not retryable) if it exists.
    public func create(_ name: String, config: [String: String], initialState: InitialState = .running) async throws {
        struct Body: Encodable {
            var name: String
            var config: [String: String]
            var initial_state: String
        }
        let body = try JSONEncoder().encode(Body(name: name, config: config, initial_state: initialState.rawValue))
        _ = try await send(.POST, "/connectors", json: body)
    }

    /// `DELETE /connectors/{name}`.
    public func delete(_ name: String) async throws {
        _ = try await send(.DELETE, "/connectors/\(escape(name))")
    }

    /// `PUT /connectors/{name}/pause`.
    public func pause(_ name: String) async throws {
        _ = try await send(.PUT, "/connectors/\(escape(name))/pause")
    }

    /// `PUT /connectors/{name}/resume` (also resumes a stopped connector).
    public func resume(_ name: String) async throws {
        _ = try await send(.PUT, "/connectors/\(escape(name))/resume")
    }

    /// `PUT /connectors/{name}/stop`: stops the connector and removes its tasks.
    public func stop(_ name: String) async throws {
        _ = try await send(.PUT, "/connectors/\(escape(name))/stop")
    }

    /// `POST /connectors/{name}/restart`.
    public func restart(_ name: String, includeTasks: Bool = false, onlyFailed: Bool = false) async throws {
        _ = try await send(
            .POST, "/connectors/\(escape(name))/restart",
            query: [("includeTasks", String(includeTasks)), ("onlyFailed", String(onlyFailed))]
        )
    }

    /// `POST /connectors/{name}/tasks/{task}/restart`.
    public func restartTask(_ name: String, task: Int) async throws {
        _ = try await send(.POST, "/connectors/\(escape(name))/tasks/\(task)/restart")
    }

    /// `GET /connectors/{name}/topics`: the topics the connector has used.
    public func topics(of name: String) async throws -> [String] {
        struct Entry: Decodable { var topics: [String] }
        let answer = try await get([String: Entry].self, "/connectors/\(escape(name))/topics")
        return answer[name]?.topics ?? []
    }

    /// `GET /connectors/{name}/offsets`, as raw JSON (its shape depends on the connector type).
    public func offsets(of name: String) async throws -> String {
        let response = try await readRetry.run { try await send(.GET, "/connectors/\(escape(name))/offsets") }
        return String(buffer: response.body)
    }

    /// `GET /connectors/{name}/offsets`, read.
    public func readOffsets(of name: String) async throws -> ConnectorOffsets {
        try await get(ConnectorOffsets.self, "/connectors/\(escape(name))/offsets")
    }

    /// `DELETE /connectors/{name}/offsets`: removes every offset (the connector must be STOPPED).
    /// Returns Connect's message.
    public func resetOffsets(of name: String) async throws -> String {
        Self.message(of: try await send(.DELETE, "/connectors/\(escape(name))/offsets"))
    }

    /// `PATCH /connectors/{name}/offsets`: sets (or, with a null offset, removes) the offsets of
    /// the partitions given (the connector must be STOPPED). Returns Connect's message.
    public func alterOffsets(of name: String, to offsets: ConnectorOffsets) async throws -> String {
        Self.message(of: try await send(.PATCH, "/connectors/\(escape(name))/offsets", json: Data(offsets.json.utf8)))
    }

    /// The `message` of Connect's answer to an offsets write, or its body.
    static func message(of response: Response) -> String {
        struct Answer: Decodable { var message: String }
        let body = String(buffer: response.body)
        return (try? JSONDecoder().decode(Answer.self, from: Data(body.utf8)))?.message ?? body  // no message field: the body says it
    }

    /// `GET /connector-plugins` of the answering worker (workers of one cluster can differ).
    public func plugins(worker: URL? = nil) async throws -> [PluginInfo] {
        try await get([PluginInfo].self, "/connector-plugins", only: worker)
    }

    /// `GET /connector-plugins/{class}/config`: the keys the plugin defines (names, types,
    /// defaults, whether required, docs, groups), as the answering worker's copy of it has them.
    public func configDefinitions(of connectorClass: String) async throws -> [ConfigKeyInfo] {
        try await get([ConfigKeyInfo].self, "/connector-plugins/\(escape(connectorClass))/config")
    }

    /// `PUT /connector-plugins/{class}/config/validate`: Connect's own check of a config.
    public func validate(connectorClass: String, config: [String: String]) async throws -> ValidationResult {
        struct Answer: Decodable {
            struct Entry: Decodable {
                struct Value: Decodable {
                    var name: String
                    var errors: [String]
                }
                var value: Value
            }
            var error_count: Int
            var configs: [Entry]
        }
        let body = try JSONEncoder().encode(config)
        let path = "/connector-plugins/\(escape(connectorClass))/config/validate"
        let response = try await readRetry.run { try await send(.PUT, path, json: body) }
        let answer = try decode(Answer.self, from: response, request: "PUT \(path)")
        var errors: [String: [String]] = [:]
        for entry in answer.configs where !entry.value.errors.isEmpty {
            errors[entry.value.name, default: []].append(contentsOf: entry.value.errors)
        }
        return ValidationResult(errorCount: answer.error_count, errorsByKey: errors, knownKeys: Set(answer.configs.map(\.value.name)))
    }

    func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}
