import Foundation

/// Why the local stack could not be set up or started, with what to do about it.
public struct StackError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Last lines of the log of the process that failed, when there is one.
    public var logTail: [String]
    public var logFile: String?

    public init(_ message: String, logFile: String? = nil, logTail: [String] = []) {
        self.message = message
        self.logFile = logFile
        self.logTail = logTail
    }

    public var description: String {
        var text = message
        if let logFile {
            text += "\nLog: \(logFile)"
        }
        if !logTail.isEmpty {
            text += "\nLast log lines:\n" + logTail.map { "  | \($0)" }.joined(separator: "\n")
        }
        return text
    }
}
