import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

enum Responses {
    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page.markup)))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        json(ByteBuffer(data: try JSONWriter.compact(value)), status: status)
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// `{"error": "..."}` with a status; the message goes through the scrubber.
    static func error(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try json(APIError(Scrubber.scrub(message)), status: status)
    }
}

/// Checks of values that come from the request.
enum RequestValues {
    /// A redirect target after signing in: only a path on this server. Anything else (another
    /// host, `//host`, `/\host` which browsers read as `//host`, a scheme, control characters,
    /// also percent-encoded) becomes `/`.
    static func localPath(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.count <= 2048,
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }),
              let components = URLComponents(string: next), components.scheme == nil, components.host == nil,
              components.path.hasPrefix("/"), !components.path.hasPrefix("//"),
              components.path.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\" })
        else { return "/" }
        return next
    }

    /// A query parameter that is not what the API's document says (a 400 naming it).
    struct BadQuery: Error {
        var message: String
    }

    /// The overview's and the list API's filter from the query (team, cluster, state, name,
    /// class, topic, q). Topic searches are resolved with `resolve` when the filter is used.
    static func connectorFilter(_ request: Request) throws(BadQuery) -> ConnectorFilter {
        let query = request.uri.queryParameters
        for name in ["team", "cluster", "state", "name", "class", "topic", "q"] where query.getAll(name).count > 1 {
            throw BadQuery(message: "\(name) is given \(query.getAll(name).count) times; give it once")
        }
        return ConnectorFilter(team: query.get("team"), cluster: query.get("cluster"), state: query.get("state"), name: query.get("name"),
                               connectorClass: query.get("class"), topic: query.get("topic"), search: query.get("q"))
    }

    /// A whole-number query parameter as the API documents it: absent, `default`; given once as
    /// decimal digits within `range`, that number; anything else (text, empty, out of range,
    /// given twice) is refused, never clamped or ignored: a caller's mistake is said, not guessed.
    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int>, default value: Int) throws(BadQuery) -> Int {
        let given = request.uri.queryParameters.getAll(name)
        guard let text = given.first else { return value }
        guard given.count == 1, let number = Int(text), range.contains(number) else {
            throw BadQuery(message: given.count > 1 ? "\(name) is given \(given.count) times; give it once"
                                                    : "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A task id from a path: decimal digits only (no sign, no spaces), at most 6 of them.
    static func taskID(_ text: String?) -> Int? {
        guard let text, (1...6).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}

extension Request {
    /// A URL-encoded form body (up to 64 KiB), decoded by Hummingbird's form decoder. A body
    /// that is not such a form, or a field of the wrong type, is a 400.
    func form<Form: Decodable>(_ type: Form.Type) async throws -> Form {
        let buffer = try await body.collect(upTo: 64 << 10)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: buffer))
        } catch {
            throw HTTPError(.badRequest, message: "The form could not be read.")
        }
    }

    /// A POST from another site (a cross-site form or fetch) is refused outright, beside the token check.
    var isCrossSite: Bool {
        headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site"
    }
}
