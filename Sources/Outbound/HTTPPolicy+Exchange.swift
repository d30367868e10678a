import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchboardCore

/// Why an outgoing call got no usable answer, in words a person can act on. The reason is
/// scrubbed: a URL's userinfo or a token in its query never shows.
public struct OutboundFailure: RetryableError, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No answer: refused, silent, reset, no route. Trying again later may help.
        case unreachable
        /// The answer's head came with this status, but its body did not arrive in time.
        case incomplete(status: Int)
        /// The URL does not lead to what was meant (a TLS mismatch, a name that does not
        /// resolve, something that is not HTTP): waiting will not help.
        case badEndpoint
        /// The answer's body was larger than the caller accepts.
        case tooLarge(limit: Int)
    }

    public var kind: Kind
    /// What was seen: `connection refused: nothing listens on 127.0.0.1:8083`.
    public var reason: String
    /// `METHOD /path` of the call, never its body.
    public var request: String

    public init(kind: Kind, reason: String, request: String) {
        self.kind = kind
        self.reason = Scrubber.scrub(reason)
        self.request = Scrubber.scrub(request)
    }

    public var isRetryable: Bool {
        switch kind {
        case .unreachable, .incomplete: true
        case .badEndpoint, .tooLarge: false
        }
    }
    public var description: String { "\(request): \(reason)" }
}

/// A whole answer: its status, headers and body (read within the call's deadline).
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public var text: String { String(buffer: body) }
}

extension HTTPPolicy {
    /// Sends `request` and waits for the answer's head within `timeout`, shortened to end a
    /// moment before an enclosing ``withDeadline(_:_:)``. The body is left streaming (downloads
    /// read it chunk by chunk under deadlines of their own). A transport failure becomes an
    /// ``OutboundFailure`` saying what was seen; `label` names the call in it
    /// (`GET /connectors`).
    public static func send(_ request: HTTPClientRequest, label: String, timeout: Duration, client: HTTPClient = sharedClient) async throws -> HTTPClientResponse {
        try await execute(request, label: label, budget: NetworkDeadline.budget(timeout), client: client)
    }

    /// Sends `request` and reads its whole answer within `timeout` (head and body together,
    /// shortened as for ``send(_:label:timeout:client:)``), refusing a body above `maxBytes`.
    /// An idempotent request (GET, HEAD, PUT, DELETE) is sent again per `retry` while the
    /// transport fails in a way that may pass; other methods are sent once. Every outgoing call
    /// that reads a whole answer goes through here: Connect, artifact stores, Prometheus and the
    /// CLI's calls to the server.
    public static func fetch(_ request: HTTPClientRequest, label: String, timeout: Duration, maxBytes: Int, retry: RetryPolicy = .none,
                             client: HTTPClient = sharedClient) async throws -> OutboundResponse {
        let policy = isIdempotent(request.method) ? retry : .none
        return try await policy.run {
            try await fetchOnce(request, label: label, timeout: timeout, maxBytes: maxBytes, client: client)
        }
    }

    static func fetchOnce(_ request: HTTPClientRequest, label: String, timeout: Duration, maxBytes: Int, client: HTTPClient) async throws -> OutboundResponse {
        let started = ContinuousClock.now
        let budget = NetworkDeadline.budget(timeout)
        let response = try await execute(request, label: label, budget: budget, client: client)
        let address = address(of: URL(string: request.url) ?? URL(fileURLWithPath: "/"))
        NetworkDeadline.note("\(address) answered \(response.status.code) to \(label), but the body did not arrive")
        // The client's deadline ends with the answer's head; the body has the rest of the time.
        let remaining = max(budget - (ContinuousClock.now - started), .milliseconds(1))
        do {
            let body = try await withDeadline(remaining) { try await response.body.collect(upTo: maxBytes) }
            return OutboundResponse(status: Int(response.status.code), headers: response.headers, body: body)
        } catch is NIOTooManyBytesError {
            throw OutboundFailure(kind: .tooLarge(limit: maxBytes), reason: "\(address) sent an answer larger than \(maxBytes) bytes", request: label)
        } catch is DeadlineExceeded {
            throw OutboundFailure(kind: .incomplete(status: Int(response.status.code)), reason: "\(address) answered \(response.status.code), but the body did not arrive within \(seconds(budget))", request: label)
        }
    }

    static func execute(_ request: HTTPClientRequest, label: String, budget: Duration, client: HTTPClient) async throws -> HTTPClientResponse {
        let url = URL(string: request.url) ?? URL(fileURLWithPath: "/")
        NetworkDeadline.note("\(address(of: url)) sent no answer to \(label)")
        do {
            return try await client.execute(request, timeout: timeAmount(budget))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let (reason, retryable) = describe(error, url: url, waited: budget)
            throw OutboundFailure(kind: retryable ? .unreachable : .badEndpoint, reason: reason, request: label)
        }
    }

    /// Whether sending `method` twice does what sending it once does.
    public static func isIdempotent(_ method: HTTPMethod) -> Bool {
        [.GET, .HEAD, .PUT, .DELETE, .OPTIONS].contains(method)
    }
}
