import AsyncHTTPClient
import ConnectClient
import Foundation
import NIOCore
import NIOHTTP1
import Outbound

/// How long HTTP calls to stores and upstream sources may take.
public struct TransferTimeouts: Sendable, Equatable {
    /// The answer to any request, and the longest pause while a body streams.
    public var network: Duration
    /// A whole download or upload, however large.
    public var transfer: Duration

    public init(network: Duration = HTTPPolicy.defaultTimeout, transfer: Duration = .seconds(600)) {
        self.network = network
        self.transfer = transfer
    }
}

/// Streams an HTTP GET into a file, hashing as it writes.
enum HTTPDownload {
    /// Downloads `url` to `file` and returns its sha256. `what` names the thing in errors.
    static func get(_ url: String, headers: HTTPHeaders = [:], to file: URL, what: String, timeouts: TransferTimeouts, client: HTTPClient = HTTPPolicy.sharedClient) async throws(PluginError) -> String {
        var request = HTTPClientRequest(url: url)
        request.headers = headers
        let response = try await execute(request, what: what, timeout: timeouts.network, client: client)
        guard response.status == .ok else {
            throw statusError(response.status, url: url, what: what)
        }
        do {
            try? FileManager.default.removeItem(at: file)  // a leftover of an earlier attempt, or nothing
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw PluginError("Could not create \(file.path) for \(what).")
            }
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }  // written data is checked by its sha256, not by close
            var digest = RunningDigest()
            let deadline = ContinuousClock.now + timeouts.transfer
            let body = BodyChunks(response.body)
            // Each chunk must come within the network timeout, and the whole body within the transfer timeout.
            while let buffer = try await withDeadline(min(timeouts.network, max(deadline - ContinuousClock.now, .milliseconds(1))), { try await body.next() }) {
                buffer.withUnsafeReadableBytes { bytes in digest.update(bytes) }
                try handle.write(contentsOf: Data(buffer: buffer, byteTransferStrategy: .noCopy))
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length != digest.byteCount {
                throw PluginError("\(what): the download from \(url) ended after \(digest.byteCount) of \(length) bytes.")
            }
            return digest.finalize()
        } catch let error as PluginError {
            throw error
        } catch is DeadlineExceeded {
            throw PluginError("\(what): the download from \(url) stalled: no data for \(HTTPPolicy.seconds(timeouts.network)), or not finished within \(HTTPPolicy.seconds(timeouts.transfer)).")
        } catch {
            throw PluginError("\(what): the download from \(url) broke off: \(HTTPPolicy.describe(error, url: URL(string: url) ?? URL(fileURLWithPath: "/"), waited: timeouts.network).reason).")
        }
    }

    /// Sends `request` and waits for the answer's head within `timeout` (``HTTPPolicy/send``);
    /// a transport failure says what was seen (refused, silent, TLS mismatch, DNS).
    static func execute(_ request: HTTPClientRequest, what: String, timeout: Duration, client: HTTPClient) async throws(PluginError) -> HTTPClientResponse {
        do {
            return try await HTTPPolicy.send(request, label: "\(request.method.rawValue) \(request.url)", timeout: timeout, client: client)
        } catch let failure as OutboundFailure {
            throw PluginError("\(what): \(request.url) cannot be reached: \(failure.reason).")
        } catch {
            throw PluginError("\(what): \(request.url) cannot be reached: \(error).")
        }
    }

    /// A clear error for a refused GET, PUT or HEAD.
    static func statusError(_ status: HTTPResponseStatus, url: String, what: String) -> PluginError {
        switch status.code {
        case 404:
            return PluginError("\(what): \(url) answered 404 Not Found.")
        case 401, 403:
            return PluginError("\(what): \(url) answered \(status.code) \(status.reasonPhrase): the credentials are missing or not accepted (check the store's bearerTokenEnv / passwordEnv).")
        default:
            return PluginError("\(what): \(url) answered \(status.code) \(status.reasonPhrase).")
        }
    }
}

/// A response body's iterator, shareable with the task that waits for its next chunk under a deadline.
final class BodyChunks: @unchecked Sendable {
    // Only one `next()` runs at a time: the download loop awaits each before asking for the next.
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ body: HTTPClientResponse.Body) {
        iterator = body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
