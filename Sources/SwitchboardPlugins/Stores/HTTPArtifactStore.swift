import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A repository in the Artifactory / Nexus style: `GET` fetches, `PUT` uploads, `HEAD` asks,
/// all under a base URL, with basic or bearer authentication.
public struct HTTPArtifactStore: ArtifactStore {
    public enum Credentials: Sendable {
        case none
        case bearer(String)
        case basic(username: String, password: String)
    }

    public let baseURL: String
    let credentials: Credentials
    let client: HTTPClient

    public init(baseURL: String, credentials: Credentials = .none, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
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
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(60))
        } catch {
            throw PluginError("The artifact store \(baseURL) is unreachable: \(error)")
        }
        switch response.status.code {
        case 200: return true
        case 404: return false
        default: throw HTTPDownload.statusError(response.status, url: url(path), what: "The artifact store")
        }
    }

    public func download(_ path: String, to file: URL) async throws(PluginError) -> String {
        try await HTTPDownload.get(url(path), headers: headers, to: file, what: "Artifact \(path)", client: client)
    }

    public func upload(_ path: String, from file: URL) async throws(PluginError) {
        var request = HTTPClientRequest(url: url(path))
        request.method = .PUT
        request.headers = headers
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        do {
            let data = try Data(contentsOf: file)
            request.body = .bytes(ByteBuffer(data: data))
            let response = try await client.execute(request, timeout: .minutes(30))
            guard (200..<300).contains(response.status.code) else {
                throw HTTPDownload.statusError(response.status, url: url(path), what: "Uploading \(path)")
            }
        } catch let error as PluginError {
            throw error
        } catch {
            throw PluginError("Uploading \(path) to \(baseURL) failed: \(error)")
        }
    }
}
