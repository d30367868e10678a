import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Streams an HTTP GET into a file, hashing as it writes.
enum HTTPDownload {
    /// Downloads `url` to `file` and returns its sha256. `what` names the thing in errors.
    static func get(_ url: String, headers: HTTPHeaders = [:], to file: URL, what: String, client: HTTPClient = .shared) async throws(PluginError) -> String {
        var request = HTTPClientRequest(url: url)
        request.headers = headers
        do {
            let response = try await client.execute(request, timeout: .minutes(30))
            guard response.status == .ok else {
                throw statusError(response.status, url: url, what: what)
            }
            try? FileManager.default.removeItem(at: file)
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw PluginError("Could not create \(file.path) for \(what).")
            }
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            var digest = RunningDigest()
            for try await buffer in response.body {
                buffer.withUnsafeReadableBytes { bytes in digest.update(bytes) }
                try handle.write(contentsOf: Data(buffer: buffer, byteTransferStrategy: .noCopy))
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length != digest.byteCount {
                throw PluginError("\(what): the download from \(url) ended after \(digest.byteCount) of \(length) bytes.")
            }
            return digest.finalize()
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError("\(what): could not download \(url): \(error)")
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
