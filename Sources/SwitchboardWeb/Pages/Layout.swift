import Foundation
import SwitchboardAPI
import SwitchboardSnapshot
import SwitchboardStorage

/// What every page needs besides its own content.
struct PageContext {
    var user: User?
    var session: SessionStore.Session?
    /// Signs the CSRF token, which only pages with forms need (computed on use).
    var tokens: Tokens
    var snapshot: Snapshot
    var insecure: Bool
    /// The server follows a repository (the GitOps page exists).
    var following = false
    var now: Date = Date()
    /// Whose failure causes the reader sees in lists (those whose traces they may read).
    var causes: Permissions.TraceScope = .everything
    /// Clusters in maintenance, said on every page.
    var maintenance: [MaintenanceWindow] = []
    /// The reader is a platform admin (maintenance buttons).
    var admin = false

    /// The reader's CSRF token (of their session), for the forms of the page.
    var csrf: String? { session.map { tokens.csrf(forSession: $0.id) } }
}

/// The frame of every page: navigation, the signed-in user, and banners for an insecure server
/// and for clusters that could not be read (their last known state is shown, with its age).
enum Layout {
    static func page(_ title: String, _ context: PageContext, _ body: HTML) -> HTML {
        let clusters = context.snapshot.clusters.keys.sorted().map { name -> HTML in
            "<a href=\"\(HTML.path("clusters", name))\">\(name)</a>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Switchboard</title><link rel="stylesheet" href="/assets/switchboard.css"></head>
            <body>
            <header><a class="brand" href="/">Switchboard</a><nav><a href="/">Overview</a> <a href="/lineage">Lineage</a> \(clusters) \(context.following ? "<a href=\"/gitops\">GitOps</a> " as HTML : "")<a href="/audit">Audit log</a> <a href="/new-connector">New connector</a> <a href="/tokens">API tokens</a> <a href="/api/openapi.json">API</a></nav>\(userBox(context))</header>
            \(banners(context))
            <main><h1>\(title)</h1>
            \(body)
            </main></body></html>
            """
    }

    static func userBox(_ context: PageContext) -> HTML {
        guard let user = context.user else { return "<div class=\"user\"><a href=\"/login\">Sign in</a></div>" }
        let groups: HTML = user.groups.isEmpty ? "" : " <span class=\"muted\">(\(user.groups.joined(separator: ", ")))</span>"
        let signOut: HTML = user.source == .local
            ? "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"\(context.csrf)\"><button>Sign out</button></form>"
            : ""
        return "<div class=\"user\">\(user.name)\(groups) \(signOut)</div>"
    }

    static func banners(_ context: PageContext) -> HTML {
        var parts: [HTML] = []
        if context.insecure {
            parts.append("<div class=\"banner danger\">Insecure development mode: nobody signs in and everyone acts as a platform admin. Never expose this server.</div>")
        }
        for cluster in context.snapshot.unreachable {
            let age = cluster.readAt.map { "its state as of \(ago($0, context.now))" } ?? "no state: it has not been read yet"
            parts.append("<div class=\"banner warning\">Cluster <strong>\(cluster.name)</strong> is unreachable; showing \(age). Last error: \(cluster.lastError)</div>")
        }
        for window in context.maintenance {
            parts.append("""
                <div class="banner warning maintenance">Cluster <strong>\(window.cluster)</strong> is in maintenance since \(ago(window.startedAt, context.now)) (\(window.user)): \
                its \(window.paused.count) running connector(s) were paused and are resumed when it ends; auto-restart and GitOps hold off there.</div>
                """)
        }
        return "\(parts)"
    }

    static func ago(_ date: Date, _ now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds) s ago" }
        if seconds < 7200 { return "\(seconds / 60) min ago" }
        return "\(seconds / 3600) h ago"
    }

    /// A state or health badge.
    static func state(_ label: String) -> HTML {
        "<span class=\"state \(label.lowercased())\">\(label)</span>"
    }

    static let stylesheet = """
        :root { font-family: system-ui, sans-serif; color: #1d2433; background: #f6f7f9; }
        body { margin: 0; }
        header { display: flex; gap: 1.5rem; align-items: center; background: #1d2433; color: #fff; padding: .6rem 1.2rem; }
        header a { color: #cfe0ff; text-decoration: none; margin-right: .8rem; }
        header .brand { color: #fff; font-weight: 700; }
        header .user { margin-left: auto; }
        main { padding: 1rem 1.5rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 1.2rem; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; }
        .state { font-weight: 600; font-size: .8rem; padding: .1rem .4rem; border-radius: .3rem; background: #e3e6ea; }
        .state.running { background: #d6f5dd; color: #135c26; }
        .state.failed, .state.gave { background: #fcd9d9; color: #8a1111; }
        .state.degraded { background: #ffe6bf; color: #7a4a00; }
        .state.paused, .state.stopped { background: #e4e7fb; color: #2c3a8c; }
        .banner { padding: .6rem 1.2rem; }
        .banner.danger { background: #8a1111; color: #fff; }
        .banner.warning { background: #ffe6bf; color: #4d2f00; }
        .banner.info { background: #d6e6ff; }
        .muted { color: #6b7383; }
        .cause { color: #a3242f; font-size: 0.85em; font-family: monospace; }
        .ownership.warning { color: #7a4a00; font-weight: 600; }
        .counts span, .clusters > span { margin-right: 1rem; }
        pre { background: #fff; border: 1px solid #e3e6ea; padding: .6rem; overflow-x: auto; max-height: 24rem; }
        form.inline { display: inline; }
        form.filters { margin: .8rem 0; display: flex; gap: .6rem; flex-wrap: wrap; }
        button { cursor: pointer; }
        .actions form { display: inline-block; margin-right: .5rem; }
        code { background: #eef1f5; padding: 0 .2rem; }
        .drawing { overflow-x: auto; background: #fff; border: 1px solid #e3e6ea; margin-bottom: 1.2rem; }
        .drawing svg a:hover rect { stroke-width: 2.5; }
        .charts svg { display: block; background: #fff; border: 1px solid #e3e6ea; margin-bottom: .6rem; }
        .ok { color: #2b8a3e; }
        """
}
