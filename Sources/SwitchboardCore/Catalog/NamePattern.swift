import Foundation

/// A name rule the catalog checks on every entry: a regular expression over the whole name.
public struct NamePattern: Sendable {
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    /// Whether the whole of `name` matches. (Foundation's regular-expression search takes no
    /// `try`: the patterns are the constants below, which CatalogLoaderTests exercise.)
    public func matches(_ name: String) -> Bool {
        name.range(of: "^(?:\(pattern))$", options: .regularExpression) != nil
    }

    /// Team and cluster names: no underscore, so the owner can be parsed back from a connector name.
    public static let team = NamePattern("[a-z][a-z0-9-]*")
    /// Connector names, without the team prefix: no underscore, which separates the prefix.
    public static let connector = NamePattern("[a-z0-9][a-z0-9.-]*")
    /// Plugin artifact names: they become folder names under plugin.path.
    public static let artifact = NamePattern("[a-z0-9][a-z0-9._-]*")
}
