import Foundation
import SwitchboardStorage

/// A user's personal API tokens: make one (shown once), see when each was used, revoke.
enum TokensPage {
    static func render(_ context: PageContext, tokens: [APIToken.Summary], created: String? = nil, error: String? = nil) -> HTML {
        let formatter = ISO8601DateFormatter()
        let rows = tokens.map { token -> HTML in
            let state: HTML = token.revokedAt != nil ? "revoked" : token.expiresAt < context.now ? "expired" : "active"
            let revoke: HTML = token.revokedAt == nil && token.expiresAt >= context.now
                ? "<form method=\"post\" action=\"/tokens/\(String(token.id))/revoke\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"\(context.csrf)\"><button>Revoke</button></form>"
                : ""
            return "<tr><td>\(token.name)</td><td>\(state)</td><td>\(formatter.string(from: token.createdAt))</td><td>\(formatter.string(from: token.expiresAt))</td><td>\(token.lastUsedAt.map { formatter.string(from: $0) } ?? "never")</td><td>\(revoke)</td></tr>"
        }
        let shown: HTML = created.map { """
            <div class="banner info"><p>Your new token (shown this once; copy it now):</p><pre>\($0)</pre>
            <p>Give it to the command line in the <code>SWITCHBOARD_TOKEN</code> environment variable (or a file, <code>--token-file</code>) for <code>switchboard connectors</code> and <code>switchboard offsets</code>, or send <code>Authorization: Bearer ...</code> to the API.</p></div>
            """ } ?? ""
        let body: HTML = """
            \(error.map { "<p class=\"banner warning\">\($0)</p>" as HTML } ?? "")
            \(shown)
            <p>A personal API token acts as you, with your role on every connector, for the command line and scripts. It is stored hashed; revoke it here when it is no longer needed.</p>
            <form method="post" action="/tokens"><input type="hidden" name="csrf" value="\(context.csrf)">
            <label>Name <input name="name" required maxlength="64" placeholder="laptop"></label>
            <label>Good for <input name="days" type="number" min="1" max="\(String(APITokens.maxDays))" value="30"> days</label>
            <button>Make a token</button></form>
            <table><thead><tr><th>Name</th><th>State</th><th>Made</th><th>Expires</th><th>Last used</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return Layout.page("API tokens", context, body)
    }
}
