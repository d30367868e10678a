@preconcurrency import Crypto
import Foundation
import SwitchboardCore

/// CSRF tokens: an HMAC-SHA256 of the session's id with the server's secret. A token is good
/// for one session only, and ends with it (signing out, expiry); it is checked with
/// swift-crypto's constant-time verification.
struct Tokens: Sendable {
    let secret: SymmetricKey

    /// The CSRF token of a session: forms carry it as `csrf`, API calls as `X-CSRF-Token`.
    func csrf(forSession id: String) -> String {
        Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(Self.csrfMessage(id).utf8), using: secret)))
    }

    /// Whether `token` is the CSRF token of the session `id`.
    func verifyCSRF(_ token: String?, forSession id: String?) -> Bool {
        guard let token, let id, let mac = Base64URL.decode(token), mac.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(Self.csrfMessage(id).utf8), using: secret)
    }

    static func csrfMessage(_ session: String) -> String { "csrf:\(session)" }
}
