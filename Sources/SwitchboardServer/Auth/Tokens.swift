@preconcurrency import Crypto
import Foundation

/// CSRF tokens: an HMAC-SHA256 of the session's id with the server's secret. A token is good
/// for one session only, and ends with it (signing out, expiry); it is checked with
/// swift-crypto's constant-time verification.
struct Tokens: Sendable {
    let secret: SymmetricKey

    /// The CSRF token of a session: forms carry it as `csrf`, API calls as `X-CSRF-Token`.
    func csrf(forSession id: String) -> String {
        Self.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data(Self.csrfMessage(id).utf8), using: secret)))
    }

    /// Whether `token` is the CSRF token of the session `id`.
    func verifyCSRF(_ token: String?, forSession id: String?) -> Bool {
        guard let token, let id, let mac = Self.decode(token), mac.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(Self.csrfMessage(id).utf8), using: secret)
    }

    static func csrfMessage(_ session: String) -> String { "csrf:\(session)" }

    /// Base64url bytes, or nil when `text` is not base64url.
    static func decode(_ text: String) -> Data? {
        guard text.utf8.count <= 256, text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || ($0 < 128 && Character(UnicodeScalar($0)).isLetter) || ($0 >= 48 && $0 <= 57) }) else { return nil }
        var base64 = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
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
}
