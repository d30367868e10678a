/// Where something was written in the catalog: a file (relative to the catalog root) and a line.
public struct SourceLocation: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the whole file is meant.
    public var line: Int?

    public init(file: String, line: Int? = nil) {
        self.file = file
        self.line = line
    }

    public var description: String {
        line.map { "\(file):\($0)" } ?? file
    }

    /// The same file at another line.
    public func at(line: Int?) -> SourceLocation {
        SourceLocation(file: file, line: line ?? self.line)
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line ?? 0) < (rhs.file, rhs.line ?? 0)
    }
}
