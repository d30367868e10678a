@preconcurrency import Crypto
import Foundation

/// Signed values: the session cookie of local users, and CSRF tokens.
/// HMAC-SHA256 with the server's secret; a server restart with a new secret signs everyone out.
struct Tokens: Sendable {
    let secret: SymmetricKey

    /// `<name>.<expiry>.<signature>` for a session cookie.
    func session(for user: String, lifetime: TimeInterval = 12 * 3600, now: Date = Date()) -> String {
        let payload = "\(Self.encode(user)).\(Int(now.timeIntervalSince1970 + lifetime))"
        return "\(payload).\(sign(payload))"
    }

    /// The user a session cookie names, if its signature holds and it has not expired.
    func user(fromSession value: String, now: Date = Date()) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let expiry = TimeInterval(parts[1]), expiry > now.timeIntervalSince1970,
              Self.constantTimeEqual(sign("\(parts[0]).\(parts[1])"), parts[2])
        else { return nil }
        return Self.decode(parts[0])
    }

    /// The CSRF token of a user: forms carry it as `csrf`, API calls as `X-CSRF-Token`.
    func csrf(for user: String) -> String {
        sign("csrf:\(user)")
    }

    func verifyCSRF(_ token: String?, for user: String) -> Bool {
        guard let token else { return false }
        return Self.constantTimeEqual(csrf(for: user), token)
    }

    private func sign(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: secret)
        return Self.base64url(Data(mac))
    }

    static func encode(_ text: String) -> String { base64url(Data(text.utf8)) }

    static func decode(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// Base64 with `-` and `_` and without padding (byte by byte: every page view signs a token,
    /// and Foundation's replacingOccurrences is slow on Linux).
    static func base64url(_ data: Data) -> String {
        let bytes = data.base64EncodedString().utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: byte
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
