import Foundation

/// The one redaction function for every text that leaves Switchboard: command output, logs,
/// audit rows, pages, API answers, metric labels, and messages relayed from Connect or an
/// artifact store.
///
/// It masks, wherever they appear in free text:
/// - URL userinfo: `jdbc:postgresql://user:pw@db/x` -> `jdbc:postgresql://(secret)@db/x`;
/// - `key=value` pairs and query parameters whose key names a secret (`password=`, `?token=`,
///   `sasl.jaas.config=...;`), quoted or not;
/// - JSON pairs whose key names a secret (`"password": "..."`), and the same with a bare key
///   (`password: "..."`, as Swift prints a value that holds one);
/// - `Bearer` and `Basic` credentials;
/// - any of the given known secret values (the values of a config's secret keys).
///
/// Config-provider references (`${file:/x.properties:pw}`) are not secrets and stay as written.
public enum Scrubber {
    /// What replaces a secret.
    public static let mask = "(secret)"

    /// What replaces a whole text when a rule could not be built (never, as its tests show).
    static let withheld = "(text withheld: the scrubber could not compile its rules)"

    /// `text` with every credential masked. `values` are known secrets (3 characters or more)
    /// that are masked wherever they appear.
    public static func scrub(_ text: String, values: some Sequence<String> = [String]()) -> String {
        scrub(text, known: KnownSecrets(values))
    }

    /// `text` with every credential masked, and every one of `known`'s values.
    public static func scrub(_ text: String, known: KnownSecrets) -> String {
        var found = false
        return redact(known.replacing(in: text), found: &found)
    }

    /// Known secret values made ready once for many texts (a snapshot scrubs every trace of a
    /// cluster with the values of all its connectors): references and values under 3 characters
    /// dropped, the longest first so that a value inside another is not masked first.
    public struct KnownSecrets: Sendable {
        let values: [String]

        public init(_ values: some Sequence<String>) {
            self.values = Set(values.filter { $0.count >= 3 && !SecretMatcher.isReference($0) }).sorted { $0.count > $1.count }
        }

        func replacing(in text: String) -> String {
            values.reduce(text) { result, value in
                result.contains(value) ? result.replacingOccurrences(of: value, with: Scrubber.mask) : result
            }
        }
    }

    /// Whether `text` holds a literal credential (one that is not a config-provider reference):
    /// for the catalog's `secret-literal` rule on values such as JDBC URLs.
    public static func holdsCredential(_ text: String) -> Bool {
        var found = false
        _ = redact(text, found: &found)
        return found
    }

    /// Keys that name a secret in free text, as a regular expression fragment.
    static let secretKey = #"[A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|token|credential|api[._\-]?key|apikey|private[._\-]?key|access[._\-]?key|jaas)[A-Za-z0-9_.\-]*"#

    /// A rule: a pattern whose group 1 is kept and whose group 2 is the secret.
    struct Rule: @unchecked Sendable {
        // NSRegularExpression is immutable once built and safe to share between threads.
        /// nil only if the pattern did not compile, which ScrubberTests rule out: `redact` then
        /// withholds the whole text rather than let a secret through.
        let expression: NSRegularExpression?
        /// How the masked secret is written back (quotes kept around a quoted value).
        let replacement: @Sendable (_ secret: String) -> String

        init(_ pattern: String, replacement: @escaping @Sendable (String) -> String = { _ in Scrubber.mask }) {
            // `try?`: the patterns are constants of this file; a failure is handled in `redact` (fail closed).
            expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            self.replacement = replacement
        }
    }

    static let rules: [Rule] = [
        // URL userinfo, for any scheme including `jdbc:postgresql://`.
        Rule(#"(\b[a-z][a-z0-9+.\-]*(?::[a-z][a-z0-9+.\-]*)*://)([^\s/?#@"'<>\\]+)@"#),
        // A JAAS configuration: everything up to its closing `;`.
        Rule(#"((?<![A-Za-z0-9_.\-])[A-Za-z0-9_.\-]*jaas[A-Za-z0-9_.\-]*["']?\s*[=:]\s*)("?[A-Za-z0-9_.$]*LoginModule\s[^;\n]*;?"?)"#) { _ in Scrubber.mask },
        // JSON pairs: "password": "value".
        Rule(#"("\#(secretKey)"\s*:\s*)("(?:[^"\\]|\\.)*")"#) { _ in "\"\(Scrubber.mask)\"" },
        // key=value, also as a query parameter; quoted values keep their quotes.
        // A value already masked is left as it is (scrubbing twice changes nothing).
        Rule(#"((?<![A-Za-z0-9_.\-])\#(secretKey)["']?\s*=\s*)(?!\(secret\))("[^"]*"|'[^']*'|[^\s,;&"'<>}\])]*)"#) { secret in
            if secret.hasPrefix("\"") { return "\"\(Scrubber.mask)\"" }
            if secret.hasPrefix("'") { return "'\(Scrubber.mask)'" }
            return Scrubber.mask
        },
        // Authorization credentials.
        Rule(#"(\b(?:Bearer|Basic)\s+)([A-Za-z0-9+/=._~\-]{8,})"#),
        // key: "value" with a bare key, as Swift prints a value (`password: "..."`) and YAML flows.
        Rule(#"((?<![A-Za-z0-9_.\-"])\#(secretKey)\s*:\s*)("(?:[^"\\]|\\.)*")"#) { _ in "\"\(Scrubber.mask)\"" },
    ]

    /// Which rules can match `text`, found in one pass over its bytes: most texts (names,
    /// states, class names, topics) skip every expression, which matters for a snapshot of
    /// thousands of connectors built every few seconds.
    static func candidates(_ text: String) -> [Int] {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4 else { return [] }
        var lower = bytes
        for index in lower.indices where lower[index] >= UInt8(ascii: "A") && lower[index] <= UInt8(ascii: "Z") {
            lower[index] |= 0x20
        }
        func contains(_ needle: StaticString) -> Bool {
            let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
            guard pattern.count <= lower.count else { return false }
            outer: for start in 0...(lower.count - pattern.count) {
                for offset in 0..<pattern.count where lower[start + offset] != pattern[offset] { continue outer }
                return true
            }
            return false
        }
        let hasAt = bytes.contains(UInt8(ascii: "@")), hasEquals = bytes.contains(UInt8(ascii: "="))
        let keyword = contains("pass") || contains("pwd") || contains("secret") || contains("token") || contains("credential")
            || contains("key") || contains("jaas")
        var rules: [Int] = []
        if hasAt && contains("://") { rules.append(0) }
        if contains("jaas") && contains("loginmodule") { rules.append(1) }
        if keyword && bytes.contains(UInt8(ascii: "\"")) { rules.append(2) }
        if keyword && hasEquals { rules.append(3) }
        if contains("bearer") || contains("basic") { rules.append(4) }
        if keyword && bytes.contains(UInt8(ascii: "\"")) && bytes.contains(UInt8(ascii: ":")) { rules.append(5) }
        return rules
    }

    /// Applies every rule; `found` is set when a literal (not a reference, not empty, not
    /// already masked) was masked.
    static func redact(_ text: String, found: inout Bool) -> String {
        let applicable = candidates(text)
        guard !applicable.isEmpty else { return text }
        var result = text
        for rule in applicable.map({ rules[$0] }) {
            guard let expression = rule.expression else {
                found = true
                return withheld
            }
            let source = result as NSString
            let matches = expression.matches(in: result, range: NSRange(location: 0, length: source.length))
            guard !matches.isEmpty else { continue }
            var output = ""
            var cursor = 0
            for match in matches {
                let secretRange = match.range(at: 2)
                guard secretRange.location != NSNotFound else { continue }
                let secret = source.substring(with: secretRange)
                let bare = secret.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                // References and empty values stay as they are; so do masks from an earlier rule.
                if bare.isEmpty || bare.contains("${") || bare == mask || bare.hasPrefix(mask) { continue }
                found = true
                output += source.substring(with: NSRange(location: cursor, length: secretRange.location - cursor))
                output += rule.replacement(secret)
                cursor = secretRange.location + secretRange.length
            }
            output += source.substring(from: cursor)
            result = output
        }
        return result
    }
}
