import ArgumentParser
import AsyncHTTPClient
import ConnectClient
import SwitchboardAPI
import SwitchboardCore
import Foundation
import NIOCore
import NIOHTTP1
import Outbound

/// `--server`, the token and `--timeout`, shared by the commands that call Switchboard's API.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Switchboard's URL. Default: $SWITCHBOARD_SERVER, else http://127.0.0.1:8080.", valueName: "url"))
    var server: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding a personal API token (make one on the server's API tokens page). Default: $SWITCHBOARD_TOKEN.", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Seconds to wait for the server's answer. Default: $SWITCHBOARD_TIMEOUT, else 120 (the server retries an action through a rebalance for up to 60 s, and gives an offsets call 90 s).", valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("text (for people) or json (the API's answer, for scripts).", valueName: "format"))
    var output: OutputFormat = .text

    func validate() throws {
        if let timeout, !(1...3600).contains(timeout) {
            throw ValidationError("--timeout must be between 1 and 3600 seconds.")
        }
    }

    /// The client, or a usage error saying what is missing.
    func client() throws -> ServerClient {
        let environment = ProcessInfo.processInfo.environment
        let text = server ?? environment["SWITCHBOARD_SERVER"] ?? "http://127.0.0.1:8080"
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw ValidationError("--server must be an http(s) URL such as https://switchboard.example.com (got '\(text)').")
        }
        let token: String
        if let tokenFile {
            do {
                token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ValidationError("Cannot read the token file \(tokenFile): \(error.localizedDescription)")
            }
        } else if let fromEnvironment = environment["SWITCHBOARD_TOKEN"], !fromEnvironment.isEmpty {
            token = fromEnvironment.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw ValidationError("No API token: set SWITCHBOARD_TOKEN or pass --token-file. Make a token on the server's API tokens page (\(text)/tokens).")
        }
        return ServerClient(base: url, token: token, timeout: timeout.map { .seconds($0) } ?? HTTPPolicy.timeout() ?? .seconds(120))
    }
}

/// The exit codes of the commands that call the server (documented in their help).
enum ServerExit {
    static let failed: Int32 = 1
    static let badInput: Int32 = 2
    static let notAllowed: Int32 = 3
    static let notFound: Int32 = 4
    static let unreachable: Int32 = 5

    static let help = """
        Exit codes: 0 done; 1 the server or Connect could not do it (a conflict, Connect refused); \
        2 bad input; 3 not signed in or not allowed (the token, or your role); 4 no such connector; \
        5 the server did not answer in time or cannot be reached; 64 usage.
        """
}

/// Calls Switchboard's JSON API with a personal API token, within a deadline; every failure
/// becomes one line saying what was seen, and an exit code.
struct ServerClient {
    let base: URL
    let token: String
    let timeout: Duration

    struct Failure: Error {
        var message: String
        var code: Int32
    }

    /// One path segment, escaped (connector names are user data).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }

    /// An answer of the server as the API's type (SwitchboardAPI: the same types the server
    /// encodes); one this version cannot read is a failure that says so.
    static func decode<T: Decodable>(_ type: T.Type, _ body: String) throws -> T {
        do {
            return try JSONReader.decode(type, from: body)
        } catch {
            throw Failure(message: "the server's answer is not what this switchboard reads as \(type) (is the server another version?): \(error)", code: ServerExit.failed)
        }
    }

    /// Sends a request to `path` (its segments escaped with ``segment(_:)``) and returns the
    /// body of a 2xx answer.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json body: String? = nil) async throws -> String {
        var components = URLComponents(string: base.absoluteString.trimmingSuffix("/") + path)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url else { throw Failure(message: "cannot build a URL from \(base) and \(path)", code: ServerExit.badInput) }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let label = "\(method.rawValue) \(path)"
        let (status, text): (UInt, String)
        do {
            // Reads may be sent again while the server cannot be reached; actions (POST) are sent once.
            let response = try await HTTPPolicy.fetch(request, label: label, timeout: timeout, maxBytes: 32 << 20, retry: RetryPolicy(maxAttempts: 3, maxElapsed: timeout))
            (status, text) = (UInt(response.status), response.text)
        } catch let failure as OutboundFailure {
            throw Failure(message: failure.description, code: ServerExit.unreachable)
        } catch is DeadlineExceeded {
            throw Failure(message: "\(base.absoluteString) did not answer \(label) within \(timeout.components.seconds) s", code: ServerExit.unreachable)
        }
        guard (200..<300).contains(status) else {
            let said = (try? JSONReader.decode(APIError.self, from: text))?.error  // not Switchboard's error shape: the status says it
            let message = "\(label): \(status) \(said ?? (status == 404 ? "not found (is \(base.absoluteString) Switchboard?)" : "from \(base.absoluteString)"))"
            switch status {
            case 400: throw Failure(message: message, code: ServerExit.badInput)
            case 401, 403: throw Failure(message: message, code: ServerExit.notAllowed)
            case 404: throw Failure(message: message, code: ServerExit.notFound)
            default: throw Failure(message: message, code: ServerExit.failed)
            }
        }
        return text
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
