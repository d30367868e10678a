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
