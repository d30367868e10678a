import Foundation
import Logging
@testable import SwitchboardCore
import SwitchboardLogging
import Testing

/// The one scrubber: every family of credential it must mask, what it must leave alone, and the
/// log handler that routes every log line through it.
@Suite struct ScrubberTests {
    static let secret = "Hunter2-s3cr3t"

    /// Texts holding `secret`, as they reach Switchboard from catalogs, Connect, stores and errors.
    static let leaky: [String] = [
        "jdbc:postgresql://app:\(secret)@db.internal:5432/orders",
        "jdbc:mysql://app:\(secret)@db/orders?useSSL=true",
        "mongodb+srv://app:\(secret)@cluster0.example.net/db",
        "https://ci-bot:\(secret)@artifactory.example.com/plugins",
        "http://\(secret)@connect:8083",
        "jdbc:postgresql://db/orders?user=app&password=\(secret)&ssl=true",
        "jdbc:sqlserver://db:1433;databaseName=x;user=app;password=\(secret);",
        "https://store.example.com/x.zip?token=\(secret)",
        "https://store.example.com/x.zip?X-Amz-Signature=abc&api_key=\(secret)",
        "Failed to connect with password=\(secret) to host",
        "database.password = \(secret)",
        "config: {\"database.password\": \"\(secret)\", \"topics\": \"orders\"}",
        "{\"password\":\"\(secret)\"}",
        #"{"ssl.keystore.password" : "\#(secret)"}"#,
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"app\" password=\"\(secret)\";",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username='app' password='\(secret)';",
        "Authorization: Bearer \(secret)",
        "Authorization: Basic \(secret)",
        "client_secret=\(secret)&grant_type=client_credentials",
        "aws.secret.access.key=\(secret)",
        "PASSWORD=\(secret)",
        "org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"app\" (url jdbc:postgresql://app:\(secret)@db:5432/x)",
        // How Swift prints a value holding a credential (ServiceLifecycle once logged a service so).
        "service=Poller(auth: Optional(Auth(username: \"switchboard\", password: \"\(secret)\")), timeout: 3.0 seconds)",
        "{password: \"\(secret)\", user: app}",
    ]

    @Test(arguments: leaky)
    func everyFamilyIsMasked(text: String) {
        let scrubbed = Scrubber.scrub(text)
        #expect(!scrubbed.contains(Self.secret), "\(text) -> \(scrubbed)")
        #expect(scrubbed.contains(Scrubber.mask))
        #expect(Scrubber.holdsCredential(text), "\(text)")
    }

    /// Text that went through the scrubber once (a plan, an audit row) may go through it again:
    /// nothing changes the second time.
    @Test(arguments: leaky)
    func scrubbingTwiceChangesNothing(text: String) {
        let once = Scrubber.scrub(text)
        #expect(Scrubber.scrub(once) == once, "\(once) -> \(Scrubber.scrub(once))")
    }

    @Test func knownSecretValuesAreMaskedAnywhere() {
        #expect(Scrubber.scrub("bad value abc123xyz for x", values: ["abc123xyz"]) == "bad value (secret) for x")
        #expect(Scrubber.scrub("ab is short", values: ["ab"]) == "ab is short", "values under 3 characters would mask ordinary text")
        #expect(Scrubber.scrub("uses ${file:/s.properties:pw}", values: ["${file:/s.properties:pw}"]) == "uses ${file:/s.properties:pw}", "references are not secrets")
    }

    @Test(arguments: [
        "connector payments_orders is RUNNING on 10.0.0.5:8083",
        "jdbc:postgresql://db.internal:5432/orders",
        "database.password=${file:/etc/secrets/payments.properties:password}",
        "jdbc:postgresql://${file:/s.properties:user}:${file:/s.properties:pw}@db/x",
        "'database.password' holds a literal value; secrets must be config-provider references.",
        "Invalid value for configuration database.password: must not be empty",
        "password=",
        "topics=orders,refunds key.converter=org.apache.kafka.connect.json.JsonConverter",
        "alice@example.com wrote to the audit log",
        "{\"name\": \"payments_orders\", \"tasks.max\": \"2\"}",
    ])
    func ordinaryTextAndReferencesStayAsTheyAre(text: String) {
        #expect(Scrubber.scrub(text) == text)
        #expect(!Scrubber.holdsCredential(text), "\(text)")
    }

    @Test func maskingKeepsJSONValid() throws {
        let json = #"{"config":{"connection.url":"jdbc:postgresql://u:\#(Self.secret)@db/x","db.password":"\#(Self.secret)","topics":"t"}}"#
        let scrubbed = Scrubber.scrub(json)
        #expect(!scrubbed.contains(Self.secret))
        #expect(try JSONSerialization.jsonObject(with: Data(scrubbed.utf8)) is [String: Any])
    }

    @Test func secretMatcherShowsNonSecretKeysThroughTheScrubber() {
        let matcher = SecretMatcher(policy: Policy())
        #expect(matcher.display("connection.url", "jdbc:postgresql://app:\(Self.secret)@db/x") == "jdbc:postgresql://(secret)@db/x")
        #expect(matcher.display("database.password", "anything") == SecretMatcher.mask)
        #expect(matcher.display("topics", "orders") == "orders")
    }

    @Test func everyLogLineAndItsMetadataGoThroughTheScrubber() {
        let sink = CapturingHandler()
        var logger = Logger(label: "test") { _ in ScrubbingLogHandler(wrapping: sink) }
        logger.logLevel = .trace
        logger[metadataKey: "store"] = "https://bot:\(Self.secret)@store.example.com"
        for level in Logger.Level.allCases {
            logger.log(level: level, "connecting to jdbc:postgresql://app:\(Self.secret)@db/x", metadata: [
                "error": "password=\(Self.secret)", "nested": .dictionary(["auth": "Bearer \(Self.secret)"]), "list": .array(["token=\(Self.secret)"]),
            ])
        }
        let lines = sink.lines.withLock { $0 }
        #expect(lines.count == Logger.Level.allCases.count)
        for line in lines {
            #expect(!line.contains(Self.secret), "\(line)")
            #expect(line.contains(Scrubber.mask))
        }
    }
}

/// A log handler that keeps what it is given, as text.
final class CapturingHandler: LogHandler, @unchecked Sendable {
    let lines = NSLockedArray()
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.message) \(all)") }
    }
}

final class NSLockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [String] = []
    func withLock<T>(_ body: (inout [String]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
