@preconcurrency import Crypto
import Foundation
import SwitchboardAPI

/// How `switchboard serve` knows who is asking.
public struct AuthSettings: Sendable {
    /// Trusted headers from an authenticating proxy (oauth2-proxy's names by default), honoured
    /// only from the listed proxy addresses.
    public struct ProxyHeaders: Sendable {
        public var trustedProxies: [AddressRange]
        public var userHeader: String
        public var groupsHeader: String
        public var emailHeader: String

        public init(trustedProxies: [AddressRange], userHeader: String = "X-Forwarded-User", groupsHeader: String = "X-Forwarded-Groups", emailHeader: String = "X-Forwarded-Email") {
            self.trustedProxies = trustedProxies
            self.userHeader = userHeader
            self.groupsHeader = groupsHeader
            self.emailHeader = emailHeader
        }
    }

    public var proxy: ProxyHeaders?
    public var localUsers: LocalUsers?
    /// Set only with `--insecure-dev`: every request is this user, and pages show a banner.
    public var insecureDevelopmentUser: User?
    /// Signs session cookies and CSRF tokens.
    public var secret: SymmetricKey
    /// Mark cookies Secure (behind HTTPS).
    public var secureCookies: Bool

    public init(proxy: ProxyHeaders? = nil, localUsers: LocalUsers? = nil, insecureDevelopmentUser: User? = nil, secret: SymmetricKey = SymmetricKey(size: .bits256), secureCookies: Bool = false) {
        self.proxy = proxy
        self.localUsers = localUsers
        self.insecureDevelopmentUser = insecureDevelopmentUser
        self.secret = secret
        self.secureCookies = secureCookies
    }

    /// Whether some sign-in is configured; without one `serve` refuses to start (unless insecure).
    public var hasSignIn: Bool { proxy != nil || localUsers != nil }
}

/// An IPv4 or IPv6 address, or an IPv4 CIDR range, that proxy headers are trusted from.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    let text: String
    let network: UInt32?
    let prefix: Int

    /// Parses `10.0.0.5`, `10.0.0.0/8` or `::1`; nil if it is none of them.
    public init?(_ text: String) {
        self.text = text
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        if let v4 = Self.ipv4(parts[0]) {
            let prefix = parts.count == 2 ? Int(parts[1]) : 32
            guard let prefix, (0...32).contains(prefix) else { return nil }
            self.network = v4
            self.prefix = prefix
        } else if parts.count == 1, parts[0].contains(":") {
            self.network = nil
            self.prefix = 128
        } else {
            return nil
        }
    }

    public var description: String { text }

    public func contains(_ address: String) -> Bool {
        guard let network else { return address == text }
        guard let value = Self.ipv4(address) else { return false }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        return value & mask == network & mask
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".").count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
