import Foundation

/// Decides which keys hold secrets and masks their values; compiled once per use.
///
/// A matcher remembers its answer for each key it was asked about: a snapshot of 20,000
/// connectors asks about a few dozen distinct keys hundreds of thousands of times, and the
/// regular expression is what it would spend its time on.
public struct SecretMatcher: @unchecked Sendable {
    // NSRegularExpression is immutable once built and safe to share between threads.
    /// nil when the policy's pattern does not compile: then every key counts as secret.
    private let expression: NSRegularExpression?
    private let answers = Answers()

    /// Keys already decided (at most `limit` of them; past that, the expression decides each time).
    final class Answers: @unchecked Sendable {
        static let limit = 50_000
        private let lock = NSLock()
        private var known: [String: Bool] = [:]

        func answer(_ key: String, _ decide: (String) -> Bool) -> Bool {
            if let known = lock.withLock({ known[key] }) { return known }
            let answer = decide(key)
            lock.withLock {
                if known.count < Self.limit { known[key] = answer }
            }
            return answer
        }
    }

    public init(pattern: String) throws {
        expression = try NSRegularExpression(pattern: "^(?:\(pattern))$")
    }

    public init(policy: Policy) {
        // `try?`: the loader refuses a pattern that does not compile (`policy.secretKeyPattern`);
        // were one to get here anyway, `isSecret` fails closed and masks every value.
        expression = try? NSRegularExpression(pattern: "^(?:\(policy.secretKeyPattern))$")
    }

    public func isSecret(_ key: String) -> Bool {
        guard let expression else { return true }
        return answers.answer(key) { key in expression.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)) != nil }
    }

    /// What to show instead of a secret value.
    public static let mask = Scrubber.mask

    /// The value to show for a key: masked when the key holds secrets, and otherwise with any
    /// credential inside it masked (a JDBC URL with `user:password@`).
    public func display(_ key: String, _ value: String) -> String {
        isSecret(key) ? Self.mask : Scrubber.scrub(value)
    }

    /// A copy of `config` fit to show: every secret value masked. It shares `config`'s storage
    /// until a value is masked (at 20,000 connectors most configs have nothing to mask).
    public func masked(_ config: [String: String]) -> [String: String] {
        var masked = config
        for (key, value) in config {
            let shown = display(key, value)
            if shown != value { masked[key] = shown }
        }
        return masked
    }

    /// `text` through the ``Scrubber``, also masking the value of every secret key of `config`
    /// (a message from Connect can quote a value).
    public func scrub(_ text: String, config: [String: String]) -> String {
        Scrubber.scrub(text, values: secretValues(of: config))
    }

    /// The values of a config's secret keys.
    public func secretValues(of config: [String: String]) -> [String] {
        config.filter { isSecret($0.key) }.map(\.value)
    }

    /// Whether a value is a Connect config-provider reference as a whole: `${provider:[path:]key}`.
    public static func isReference(_ value: String) -> Bool {
        provider(ofReference: value) != nil
    }

    /// The provider name of a reference (`file` of `${file:/x.properties:pw}`), or nil.
    public static func provider(ofReference value: String) -> String? {
        guard value.hasPrefix("${"), value.hasSuffix("}"), !value.dropFirst(2).dropLast().contains("}") else { return nil }
        let body = value.dropFirst(2).dropLast()
        guard let colon = body.firstIndex(of: ":"), colon != body.startIndex, body.index(after: colon) != body.endIndex else { return nil }
        let provider = body[..<colon]
        guard provider.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else { return nil }
        return String(provider)
    }
}
