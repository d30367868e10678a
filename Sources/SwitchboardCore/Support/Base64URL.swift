import Foundation

/// Base64url (RFC 4648 §5): base64 with `-` and `_`, without padding, for tokens in cookies,
/// headers and URLs. A few lines over Foundation's base64, which has no url-safe variant.
public enum Base64URL {
    /// Base64url bytes, or nil when `text` is not base64url.
    public static func decode(_ text: String) -> Data? {
        guard text.utf8.count <= 256, text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || ($0 < 128 && Character(UnicodeScalar($0)).isLetter) || ($0 >= 48 && $0 <= 57) }) else { return nil }
        var base64 = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// Base64 with `-` and `_` and without padding (byte by byte: every page view signs a token,
    /// and Foundation's replacingOccurrences is slow on Linux).
    public static func encode(_ data: Data) -> String {
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
