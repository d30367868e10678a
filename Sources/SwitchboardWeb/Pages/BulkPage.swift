import Foundation
import SwitchboardAPI
import SwitchboardCore

/// A bulk action in the browser: the confirmation (what will be done, and what the reader may
/// not do) and, once confirmed, what was done to each connector.
enum BulkPage {
    /// `query`: the selection and the action, as the confirmation form posts them back.
    static func render(_ context: PageContext, answer: BulkActionAnswer, query: String) -> HTML {
        let rows = answer.results.map { item -> HTML in
            let style = switch item.result {
            case "done", "would-do": "running"
            case "refused": "paused"
            default: "failed"
            }
            return "<tr><td><a href=\"\(HTML.path("clusters", item.cluster, "connectors", item.connector))\">\(item.cluster)/\(item.connector)</a></td><td><span class=\"state \(style)\">\(item.result)</span></td><td>\(item.detail ?? "")</td></tr>"
        }
        let head: HTML
        if answer.dryRun {
            let confirm: HTML = answer.done == 0 ? "<p class=\"banner warning\">You may not \(answer.action) any of them: nothing to confirm.</p>" : """
                <form method="post" action="/bulk\(HTML(unsafeMarkup: query))"><input type="hidden" name="csrf" value="\(context.csrf)">\
                <button>\(answer.action) \(answer.done) connector(s)</button> <a href="/">Cancel</a></form>
                """
            head = """
                <p>\(answer.action.capitalized) <strong>\(answer.done)</strong> of the \(answer.selected) selected connector(s)\(answer.refused > 0 ? "; your role does not allow it on \(answer.refused): they are left alone (and the refusal audited)" as HTML : "").</p>
                \(confirm)
                """
        } else {
            head = "<p>\(answer.action) (bulk <code>\(answer.bulk)</code>, in every audit row): \(answer.done) done, \(answer.refused) refused, \(answer.failed) failed.</p>"
        }
        return Layout.page(answer.dryRun ? "Confirm: \(answer.action)" : "Done: \(answer.action)", context, """
            \(head)
            <table><thead><tr><th>Connector</th><th>\(answer.dryRun ? "Would be" : "Result")</th><th>Detail</th></tr></thead><tbody>\(rows)</tbody></table>
            """)
    }
}
