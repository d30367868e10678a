import AsyncHTTPClient
import ConnectClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Outbound

/// A repository in the Artifactory / Nexus style: `GET` fetches, `PUT` uploads, `HEAD` asks,
/// all under a base URL, with basic or bearer authentication. Every call has a deadline
/// (``TransferTimeouts``).
public struct HTTPArtifactStore: ArtifactStore {
    public enum Credentials: Sendable {
        case none
        case bearer(String)
        case basic(username: String, password: String)
    }

    public let baseURL: String
    let credentials: Credentials
    let timeouts: TransferTimeouts
    let client: HTTPClient

    public init(baseURL: String, credentials: Credentials = .none, timeouts: TransferTimeouts = TransferTimeouts(), client: HTTPClient = HTTPPolicy.sharedClient) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.timeouts = timeouts
        self.client = client
    }

    public var description: String { baseURL }

    func url(_ path: String) -> String {
        "\(baseURL)/\(path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)"
    }

    var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        switch credentials {
        case .none: break
        case .bearer(let token): headers.add(name: "Authorization", value: "Bearer \(token)")
        case .basic(let username, let password):
            headers.add(name: "Authorization", value: "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())")
        }
        return headers
    }

    public func contains(_ path: String) async throws(PluginError) -> Bool {
        var request = HTTPClientRequest(url: url(path))
        request.method = .HEAD
        request.headers = headers
        let response = try await HTTPDownload.execute(request, what: "The artifact store", timeout: timeouts.network, client: client)
        switch response.status.code {
        case 200: return true
        case 404: return false
        default: throw HTTPDownload.statusError(response.status, url: url(path), what: "The artifact store")
        }
    }

    public func download(_ path: String, to file: URL) async throws(PluginError) -> String {
        try await HTTPDownload.get(url(path), headers: headers, to: file, what: "Artifact \(path)", timeouts: timeouts, client: client)
    }

    public func upload(_ path: String, from file: URL) async throws(PluginError) {
        var request = HTTPClientRequest(url: url(path))
        request.method = .PUT
        request.headers = headers
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw PluginError("Uploading \(path): cannot read \(file.path): \((error as NSError).localizedDescription)")
        }
        request.body = .bytes(ByteBuffer(data: data))
        // Sending the body counts against the deadline of the answer, so the upload gets the transfer timeout.
        let response = try await HTTPDownload.execute(request, what: "Uploading \(path)", timeout: timeouts.transfer, client: client)
        guard (200..<300).contains(response.status.code) else {
            throw HTTPDownload.statusError(response.status, url: url(path), what: "Uploading \(path)")
        }
    }
}
