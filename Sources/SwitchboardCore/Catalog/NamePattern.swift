import Foundation

/// A regular expression compiled once, for the name rules the catalog checks on every entry.
public struct NamePattern: @unchecked Sendable {
    // NSRegularExpression is immutable once built and safe to share between threads.
    private let expression: NSRegularExpression
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
        self.expression = try! NSRegularExpression(pattern: pattern)
    }

    public func matches(_ name: String) -> Bool {
        expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }

    /// Team and cluster names: no underscore, so the owner can be parsed back from a connector name.
    public static let team = NamePattern("^[a-z][a-z0-9-]*$")
    /// Connector names, without the team prefix: no underscore, which separates the prefix.
    public static let connector = NamePattern("^[a-z0-9][a-z0-9.-]*$")
    /// Plugin artifact names: they become folder names under plugin.path.
    public static let artifact = NamePattern("^[a-z0-9][a-z0-9._-]*$")
}
