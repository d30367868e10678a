import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import Outbound
import SwitchboardCore

/// A client for the Kafka Connect REST API of one cluster.
///
/// This is the only code in Switchboard that speaks that API. Calls go to the first worker URL
/// that answers; a worker that cannot be reached is skipped. Error responses become
/// ``ConnectError`` values here and nowhere else.
public struct ConnectClient: Sendable {
    public let endpoint: ConnectEndpoint
    let httpClient: HTTPClient
    let logger: Logger
    /// How long one request may take, answer and body (``HTTPPolicy/defaultTimeout`` unless
    /// configured). A write that times out may still complete on the worker: callers re-read
    /// state before retrying one.
    public var requestTimeout: Duration
    /// Responses above this size are refused rather than buffered.
    public var maxResponseBytes: Int
    /// How reads are retried when Connect answers with a retryable error.
    public var readRetry: RetryPolicy

    public init(
        endpoint: ConnectEndpoint,
        httpClient: HTTPClient = HTTPPolicy.sharedClient,
        requestTimeout: Duration = HTTPPolicy.defaultTimeout,
        maxResponseBytes: Int = 256 << 20,
        readRetry: RetryPolicy = RetryPolicy(maxAttempts: 5, maxElapsed: HTTPPolicy.defaultTimeout),
        logger: Logger = Logger(label: "switchboard.connect")
    ) {
        self.endpoint = endpoint
        self.httpClient = httpClient
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
        self.readRetry = readRetry
        self.logger = logger
    }

    /// A client for one worker URL with default settings.
    public init(url: URL) {
        self.init(endpoint: ConnectEndpoint(url: url))
    }

    /// A raw answer: status and body.
    struct Response: Sendable {
        var status: Int
        var body: ByteBuffer
    }

    /// Sends one request, trying the cluster's worker URLs in order until one answers.
    /// Error statuses are mapped to ``ConnectError``. `only` restricts the call to one worker.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        json body: Data? = nil,
        only worker: URL? = nil
    ) async throws -> Response {
        let requestLabel = "\(method.rawValue) \(path)"
        let candidates = worker.map { [$0] } ?? endpoint.urls
        var lastFailure: ConnectError?
        for base in candidates {
            let request = try makeRequest(method, base: base, path: path, query: query, body: body)
            let started = ContinuousClock.now
            let address = HTTPPolicy.address(of: base)
            let response: OutboundResponse
            do {
                response = try await HTTPPolicy.fetch(request, label: requestLabel, timeout: requestTimeout, maxBytes: maxResponseBytes, client: httpClient)
            } catch let failure as OutboundFailure {
                switch failure.kind {
                case .tooLarge(let limit):
                    throw ConnectError(kind: .responseTooLarge(limit: limit), request: requestLabel, endpoint: base.absoluteString)
                case .incomplete:
                    // The worker answered: another worker would not answer sooner.
                    throw ConnectError(kind: .unreachable(reason: failure.reason), request: requestLabel, endpoint: base.absoluteString)
                case .unreachable, .badEndpoint:
                    let error = ConnectError(kind: failure.isRetryable ? .unreachable(reason: failure.reason) : .badEndpoint(reason: failure.reason),
                                             request: requestLabel, endpoint: base.absoluteString)
                    logger.debug("Connect worker did not answer", metadata: ["worker": "\(base)", "request": "\(requestLabel)", "error": "\(error.shortDescription)"])
                    lastFailure = error
                    continue
                }
            }
            logger.debug("Connect answered", metadata: [
                "worker": "\(address)", "request": "\(requestLabel)", "status": "\(response.status)", "took": "\(ContinuousClock.now - started)",
            ])
            if response.status >= 400 {
                throw Self.mapError(status: response.status, body: response.body, request: requestLabel, endpoint: base.absoluteString)
            }
            return Response(status: response.status, body: response.body)
        }
        throw lastFailure ?? ConnectError(kind: .unreachable(reason: "no worker URL"), request: requestLabel, endpoint: "")
    }

    /// Sends a request and decodes a JSON answer, retrying retryable failures per ``readRetry``.
    func get<T: Decodable & Sendable>(_ type: T.Type, _ path: String, query: [(String, String)] = [], only worker: URL? = nil) async throws -> T {
        let client = self
        return try await get(path, query: query, only: worker) { try client.decode(type, from: $0, request: "GET \(path)") }
    }

    /// Sends a GET and makes its answer into a value with `decode` (large answers off the
    /// request pool, two at a time), retrying retryable failures per ``readRetry``.
    func get<T: Sendable>(_ path: String, query: [(String, String)] = [], only worker: URL? = nil, decode: @escaping @Sendable (Response) throws -> T) async throws -> T {
        try await readRetry.run {
            let response = try await send(.GET, path, query: query, only: worker)
            guard response.body.readableBytes >= DecodeGate.largeAnswer else { return try decode(response) }
            await DecodeGate.shared.acquire()
            defer { Task { await DecodeGate.shared.release() } }
            return try await BackgroundWork.run { try decode(response) }
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from response: Response, request: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw ConnectError(kind: .malformedResponse(reason: "\(error)"), request: request, endpoint: endpoint.urls[0].absoluteString)
        }
    }

    private func makeRequest(_ method: HTTPMethod, base: URL, path: String, query: [(String, String)], body: Data?) throws -> HTTPClientRequest {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        let basePath = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.percentEncodedPath = basePath + path
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        }
        var request = HTTPClientRequest(url: components.string!)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let auth = endpoint.basicAuth {
            let token = Data("\(auth.username):\(auth.password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(token)")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        if let tls = endpoint.tls, base.scheme == "https" {
            request.tlsConfiguration = try Self.tlsConfiguration(tls)
        }
        return request
    }

    static func tlsConfiguration(_ tls: ConnectEndpoint.TLS) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            configuration.trustRoots = .file(caFile)
        }
        if tls.insecureSkipVerify {
            configuration.certificateVerification = .none
        }
        return configuration
    }

    /// Decodes Connect's `{"error_code": N, "message": "..."}`; falls back to the raw text.
    static func mapError(status: Int, body: ByteBuffer, request: String, endpoint: String) -> ConnectError {
        struct ErrorBody: Decodable {
            var error_code: Int?
            var message: String?
        }
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: body)  // not Connect's shape: the raw text is the message
        let raw = String(buffer: body)
        let message = decoded?.message ?? (raw.isEmpty ? "HTTP \(status)" : String(raw.prefix(500)))
        return ConnectError(kind: .http(status: status, errorCode: decoded?.error_code, message: message), request: request, endpoint: endpoint)
    }
}

/// Large answers (a bulk read of thousands of connectors) are decoded two at a time, however many
/// clusters answered at once, on background threads (``BackgroundWork``): the decoder first
/// builds a map of the whole text, and ten clusters of 2,000 connectors decoded together held ten
/// such maps (the server's peak memory). The reads themselves still run side by side; only the
/// decoding, which needs a core anyway, waits.
actor DecodeGate {
    static let shared = DecodeGate(permits: 2)
    /// Answers from this size (bytes) on take a permit.
    static let largeAnswer = 256 << 10

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        free = permits
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
