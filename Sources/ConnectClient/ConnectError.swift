import Foundation
import Outbound

/// A failed call to a Kafka Connect worker, in a form a user can act on.
///
/// Every response of the Connect REST API is mapped to this type in exactly one place
/// (``ConnectClient``): the body `{"error_code": N, "message": "..."}` is decoded, and
/// ``isRetryable`` says whether the same call may succeed after a backoff (409 during a
/// rebalance, a 500 saying a rebalance is expected, a worker that is still starting).
public struct ConnectError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, without any request body (request bodies can hold secrets).
    public enum Kind: Sendable, Equatable {
        /// No worker of the cluster answered (connection refused, timeout); may pass.
        case unreachable(reason: String)
        /// The URL does not lead to a Connect REST API as written (a TLS mismatch, a host name
        /// that does not resolve, a path that is not a worker's REST root); waiting will not help.
        case badEndpoint(reason: String)
        /// The worker answered with an error status.
        case http(status: Int, errorCode: Int?, message: String)
        /// The worker answered 2xx, but with a body this client cannot read.
        case malformedResponse(reason: String)
        /// The response body was larger than the client accepts.
        case responseTooLarge(limit: Int)
    }

    public let kind: Kind
    /// `METHOD /path` of the call, never its body.
    public let request: String
    /// The worker URL that was called (or the last one tried).
    public let endpoint: String

    public init(kind: Kind, request: String, endpoint: String) {
        self.kind = kind
        self.request = request
        self.endpoint = endpoint
    }

    /// The HTTP status, when the worker answered.
    public var status: Int? {
        if case .http(let status, _, _) = kind { return status }
        return nil
    }

    /// The worker's own message, when it answered with an error.
    public var message: String? {
        if case .http(_, _, let message) = kind { return message }
        return nil
    }

    /// Whether the same request may succeed if sent again after a backoff.
    ///
    /// See the failure modes in the Connect reference: 409 is retryable except "already exists";
    /// a pending rebalance can also arrive as a 500; the worker's 90 s request timeout answers 500
    /// "Request timed out" although the request may still complete (callers re-read state first);
    /// a follower that cannot reach the leader (killed, or restarting) answers 500 "IO Error trying to
    /// forward REST request" until the group elects another; a starting worker answers 503; an
    /// unreachable worker may be restarting.
    public var isRetryable: Bool {
        switch kind {
        case .unreachable:
            return true
        case .malformedResponse, .responseTooLarge, .badEndpoint:
            return false
        case .http(let status, _, let message):
            let text = message.lowercased()
            switch status {
            case 409:
                return !text.contains("already exists")
            case 500:
                return text.contains("rebalance") || text.contains("request timed out")
                    || text.contains("stale") || text.contains("leader") || text.contains("forward")
            case 502, 503, 504:
                return true
            default:
                return false
            }
        }
    }

    /// Whether the worker said the resource does not exist.
    public var isNotFound: Bool { status == 404 }

    /// A short, stable label safe for metrics and logs (no free text).
    public var shortDescription: String {
        switch kind {
        case .unreachable: return "unreachable"
        case .badEndpoint: return "bad_endpoint"
        case .http(let status, _, _): return "http_\(status)"
        case .malformedResponse: return "malformed_response"
        case .responseTooLarge: return "response_too_large"
        }
    }

    public var description: String {
        switch kind {
        case .unreachable(let reason):
            return "Kafka Connect at \(endpoint) is unreachable (\(request)): \(reason)"
        case .badEndpoint(let reason):
            return "Kafka Connect at \(endpoint) cannot be used (\(request)): \(reason)"
        case .http(let status, _, let message):
            return "Kafka Connect at \(endpoint) answered \(status) to \(request): \(message)"
        case .malformedResponse(let reason):
            return "Kafka Connect at \(endpoint) sent a response to \(request) that could not be read: \(reason)"
        case .responseTooLarge(let limit):
            return "Kafka Connect at \(endpoint) sent a response to \(request) larger than \(limit) bytes"
        }
    }
}

extension ConnectError: RetryableError {}
