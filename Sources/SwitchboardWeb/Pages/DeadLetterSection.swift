import Foundation
import SwitchboardAPI

/// A sink's dead-letter queue on its page: the count and growth for everyone, the newest
/// records' errors (from Connect's `__connect.errors.*` headers, scrubbed) for readers and above.
enum DeadLetterSection {
    static func render(_ deadLetters: DeadLetters?) -> HTML {
        guard let deadLetters else { return "" }
        let count: HTML = deadLetters.records.map { records in
            let growth = deadLetters.perMinute.map { $0 > 0 ? ", growing by \(Charts.format($0)) a minute" : ", not growing" } ?? ""
            return "<p class=\"\(records > 0 ? "banner warning" : "muted") dead-letter-count\"><strong>\(Int(records))</strong> record(s) in <code>\(deadLetters.topic)</code>\(growth).</p>"
        } ?? "<p class=\"muted dead-letter-count\">Dead-letter topic <code>\(deadLetters.topic)</code>: not read yet (the broker is read every 15 s when the cluster has <code>kafka.bootstrapServers</code>).</p>"
        let note: HTML = deadLetters.recentNote.map { "<p class=\"muted\">\($0)</p>" } ?? ""
        guard let recent = deadLetters.recent else { return "<h2>Dead letters</h2>\(count)\(note)" }
        guard !recent.isEmpty else { return "<h2>Dead letters</h2>\(count)\(note)" }
        let rows = recent.map { record -> HTML in
            let origin = record.originalTopic.map { "\($0)[\(record.originalPartition.map(String.init) ?? "?")] @ \(record.originalOffset.map(String.init) ?? "?")" } ?? "-"
            let error = [record.exceptionClass, record.exceptionMessage].compactMap { $0 }.joined(separator: ": ")
            return """
                <tr><td>\(record.at.map { ISO8601DateFormatter().string(from: $0) } ?? "-")</td><td><code>\(origin)</code></td><td>\(record.stage ?? "-")</td>\
                <td><code>\(error.isEmpty ? "-" : error)</code>\(record.cause.map { "<br><span class=\"muted\">Why: <code>\($0)</code></span>" as HTML } ?? "")</td></tr>
                """
        }
        return """
            <h2>Dead letters</h2>\(count)\(note)
            <table class="dead-letters"><thead><tr><th>When</th><th>From (topic[partition] @ offset)</th><th>Stage</th><th>Error</th></tr></thead><tbody>\(rows)</tbody></table>
            <p class="muted">The newest \(recent.count) record(s), from the headers Connect wrote; the records' keys and values are never shown.</p>
            """
    }
}
