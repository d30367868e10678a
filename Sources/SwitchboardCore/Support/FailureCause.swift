/// Why a Java failure happened, in one line: a failed task's trace is shown whole, but the reason
/// sits at its bottom (`Caused by: java.nio.file.FileSystemException: data/receipts-archive.txt:
/// Is a directory`). Give it scrubbed text (views' traces are).
public enum FailureCause {
    /// The longest line given; longer causes end with "…".
    public static let maxLength = 300

    /// The innermost `Caused by:` of `trace` (exception class and message, the message's first
    /// line), else the trace's first line; nil for an empty trace.
    public static func innermost(_ trace: String?) -> String? {
        guard let trace else { return nil }
        let lines = trace.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line = lines.last(where: { $0.hasPrefix("Caused by:") }).map({ String($0.dropFirst("Caused by:".count)) }) ?? lines.first(where: { !$0.isEmpty }) else {
            return nil
        }
        let cause = line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !cause.isEmpty else { return nil }
        return cause.count > maxLength ? String(cause.prefix(maxLength - 1)) + "…" : cause
    }
}
