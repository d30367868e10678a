import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The one policy for Switchboard's outgoing HTTP (Connect workers and artifact stores): how
/// long to wait, and how to say what was seen when a wait fails.
///
/// Every wait has a deadline. A connection must be made within ``connectTimeout``; a request
/// must be answered within the caller's timeout (``defaultTimeout`` unless configured); a
/// refused connection fails at once instead of being retried until the deadline.
public enum HTTPPolicy {
    /// How long any one network wait may take unless configured otherwise (`--timeout`,
    /// `$SWITCHBOARD_TIMEOUT`).
    public static let defaultTimeout: Duration = .seconds(30)
    /// How long to wait for a TCP (and TLS) connection.
    public static let connectTimeout: Duration = .seconds(5)
    /// Connections the shared client opens to one worker at once: above apply's largest write
    /// concurrency (64) plus the reads beside it.
    public static let maxConnectionsPerHost = 128

    /// The HTTP client that Connect clients and artifact stores share unless given another.
    /// Unlike `HTTPClient.shared`, it does not retry a refused connection until the request's
    /// deadline: a worker that is down fails at once, so a call moves on to the next worker URL.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        // AsyncHTTPClient opens at most 8 connections per host by default and queues the rest,
        // failing a queued request after the connect timeout: apply's writes to one cluster go
        // well past 8 at once (up to --max-parallelism), so the pool must not be the limit.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnectionsPerHost
        configuration.timeout.connect = .nanoseconds(connectTimeout.nanoseconds)
        // A backstop for a body that stops flowing; callers set tighter deadlines themselves.
        configuration.timeout.read = .minutes(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A duration as NIO's `TimeAmount`, for AsyncHTTPClient's timeouts.
    public static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.nanoseconds)
    }

    /// The timeout from `$SWITCHBOARD_TIMEOUT` (seconds), if set and valid.
    public static func timeout(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration? {
        environment["SWITCHBOARD_TIMEOUT"].flatMap(Int.init).flatMap { $0 > 0 ? .seconds($0) : nil }
    }

    /// What a failed request saw, in words a person can act on, and whether trying again later
    /// can help. `url` is the URL that was called; `waited` how long the answer was waited for.
    public static func describe(_ error: any Error, url: URL, waited: Duration) -> (reason: String, retryable: Bool) {
        let address = address(of: url)
        let https = url.scheme?.lowercased() == "https"
        let noConnection = "no connection to \(address) within \(seconds(connectTimeout)) (the host is down, or a firewall drops the packets)"
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return ("\(address) accepted the connection but sent no answer within \(seconds(waited))", true)
            case .connectTimeout, .socksHandshakeTimeout, .tlsHandshakeTimeout:
                return (noConnection, true)
            case .remoteConnectionClosed:
                return https
                    ? ("\(address) closed the connection without an answer", true)
                    : ("\(address) closed the connection without an answer; if it expects TLS, write the URL with https://", true)
            default:
                break
            }
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return ("the host name \(error.host) does not resolve (DNS)", false)
            }
            if let failure = error.connectionErrors.first {
                return describe(failure.error, url: url, waited: waited)
            }
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return ("connection refused: nothing listens on \(address)", true)
            case ECONNRESET: return ("\(address) reset the connection", true)
            case EHOSTUNREACH, ENETUNREACH: return ("\(address) cannot be reached (no route to the host)", true)
            default: return ("\(address): \(String(cString: strerror(error.errnoCode)))", true)
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (noConnection, true)
        }
        if let error = error as? NIOSSLError {
            let text = String(describing: error).lowercased()
            if https, text.contains("wrong version") || text.contains("wrong_version") || text.contains("packet length") || text.contains("http request") || text.contains("record layer") || text.contains("unexpectedeof") || text.contains("eof") {
                return ("the TLS handshake with \(address) failed: it does not seem to speak TLS; if it serves plain HTTP, write the URL with http://", false)
            }
            return ("the TLS handshake with \(address) failed (\(shortTLS(error))): check the certificate, tls.caFile, or the URL's scheme", false)
        }
        if error is NIOSSLExtraError || error is BoringSSLError {
            return ("the TLS handshake with \(address) failed (\(error)): check the certificate, tls.caFile, or the URL's scheme", false)
        }
        let text = String(describing: error)
        if text.contains("HTTPParserError") || error is HTTPParserError {
            return https
                ? ("\(address) answered with something that is not HTTP", false)
                : ("\(address) answered with something that is not HTTP; if it expects TLS, write the URL with https://", false)
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return ("connection refused: nothing listens on \(address)", true)
        }
        return ("\(address): \(text)", true)
    }

    /// `host:port` of a URL, the port filled in from the scheme, for messages.
    public static func address(of url: URL) -> String {
        "\(url.host ?? "?"):\(url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80))"
    }

    static func shortTLS(_ error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed: return "handshake failed"
        case .uncleanShutdown: return "the connection closed during the handshake"
        default: return String(describing: error)
        }
    }

    /// A duration as people read it: `30 s`, `2.5 s`, `0.2 s`.
    public static func seconds(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        let tenths = Int((Double(whole) + Double(fraction) / 1e18) * 10 + 0.5)
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}

/// A wait that did not end in time.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public var timeout: Duration
    /// What the last request inside the wait had seen when the deadline passed
    /// (``NetworkDeadline/note(_:)``), if any.
    public var seen: String?
    public init(timeout: Duration, seen: String? = nil) {
        self.timeout = timeout
        self.seen = seen
    }
    public var description: String {
        seen.map { "\($0) within \(HTTPPolicy.seconds(timeout))" } ?? "no answer within \(HTTPPolicy.seconds(timeout))"
    }
}

/// What requests inside a ``withDeadline(_:_:)`` have seen so far, so that a deadline that
/// passes (on a loaded machine, before a request's own, shorter deadline is reported) still
/// says what was seen.
final class Observation: Sendable {
    private let value = NIOLockedValueBox<String?>(nil)
    var last: String? {
        get { value.withLockedValue { $0 } }
        set { value.withLockedValue { $0 = newValue } }
    }
}

/// The deadline of the enclosing ``withDeadline(_:_:)``, if any: requests inside it shorten
/// their own timeout to end a moment before it, so that their more precise message (silent,
/// refused, a slow body) is the one reported rather than the outer "no answer in time".
public enum NetworkDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?
    @TaskLocal static var observation: Observation?

    /// Records what a request inside the enclosing deadline is waiting for, in the words of the
    /// message to give if the deadline passes then (`127.0.0.1:8083 sent no answer to GET /health`).
    public static func note(_ what: String) {
        observation?.last = what
    }

    /// `timeout`, or less when the enclosing deadline comes sooner: it ends a tenth before it
    /// (at least 200 ms, at most 2 s), so that it wins the race on a loaded machine too.
    public static func budget(_ timeout: Duration) -> Duration {
        guard let current else { return timeout }
        let remaining = current - ContinuousClock.now
        let margin = min(max(remaining / 10, .milliseconds(200)), .seconds(2))
        return max(.milliseconds(1), min(timeout, remaining - margin))
    }
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` once `timeout` has
/// passed, whether or not the operation reacts to cancellation (it is cancelled, and its late
/// result is dropped). Cancelling the caller cancels the operation.
public func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let end = ContinuousClock.now + timeout
    let deadline = NetworkDeadline.current.map { min($0, end) } ?? end
    let observation = NetworkDeadline.observation ?? Observation()
    return try await NetworkDeadline.$current.withValue(deadline) {
        try await NetworkDeadline.$observation.withValue(observation) {
            try await race(timeout, observation, operation)
        }
    }
}

private func race<T: Sendable>(_ timeout: Duration, _ observation: Observation, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
    let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    @Sendable func finish(_ result: Result<T, any Error>) {
        let continuation = outcome.withLockedValue { value -> CheckedContinuation<T, any Error>? in
            defer { value = nil }
            return value
        }
        guard let continuation else { return }
        for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        continuation.resume(with: result)
    }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.withLockedValue { $0 = continuation }
            let work = Task {
                do {
                    finish(.success(try await operation()))
                } catch {
                    finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)  // cancelled when the work ends first
                if !Task.isCancelled { finish(.failure(DeadlineExceeded(timeout: timeout, seen: observation.last))) }
            }
            tasks.withLockedValue { $0 = [work, timer] }
            // Either may have finished before the list was set.
            if outcome.withLockedValue({ $0 == nil }) {
                work.cancel()
                timer.cancel()
            }
        }
    } onCancel: {
        finish(.failure(CancellationError()))
    }
}

extension Duration {
    /// In seconds, as a Double (for rates and summaries).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
