import ConnectClient
import Foundation
import SwitchboardAPI
import SwitchboardCore

/// "New connector": for a team's owners, a connector file built from the cluster's own
/// definitions of a plugin. Pick team, cluster and class (only classes the cluster has and the
/// policy allows there), fill the form, check it with Connect, and download or copy the YAML for
/// a pull request. The page never creates a connector: the catalog stays the one source of truth.
enum NewConnectorPage {
    struct Choice {
        var teams: [String]
        var clusters: [String]
        /// Per cluster, the classes offered (the snapshot's plugins the policy allows there).
        var classes: [String: [ClusterView.Plugin]]
        var team: String?
        var cluster: String?
        var connectorClass: String?
        var name: String?
    }

    static func render(_ context: PageContext, choice: Choice, scaffold: ConnectorScaffold?, policy: Policy, problem: String? = nil,
                       errors: [String: [String]]? = nil) -> HTML {
        let option = { (value: String, selected: String?) -> HTML in
            value == selected ? "<option selected>\(value)</option>" : "<option>\(value)</option>"
        }
        let classes = choice.cluster.flatMap { choice.classes[$0] } ?? []
        var parts: [HTML] = ["""
            <p>Writes a connector file from what the cluster says of the plugin. The page creates nothing: \
            download the file (or copy it) into <code>teams/&lt;team&gt;/connectors/</code> and open a pull request.</p>
            <form method="get" action="/new-connector" class="filters">
            <label>Team <select name="team">\(choice.teams.map { option($0, choice.team) })</select></label>
            <label>Cluster <select name="cluster">\(choice.clusters.map { option($0, choice.cluster) })</select></label>
            <label>Class <select name="class"><option value="">choose</option>\(classes.map { option($0.className, choice.connectorClass) })</select></label>
            <label>Name <input name="name" value="\(choice.name ?? "")" placeholder="orders-cdc"></label>
            <button>Next</button></form>
            """]
        if choice.cluster != nil, classes.isEmpty {
            parts.append("<p class=\"muted\">The cluster reports no connector plugin the policy allows there (or its plugins were not read yet).</p>")
        }
        if let problem { parts.append("<p class=\"banner danger\">\(problem)</p>") }
        if let scaffold {
            parts.append(form(scaffold, policy: policy, errors: errors))
        }
        return Layout.page("New connector", context, "\(parts)")
    }

    /// The keys' form (GET: nothing here is a secret; secret keys take references only) and the file.
    static func form(_ scaffold: ConnectorScaffold, policy: Policy, errors: [String: [String]]?) -> HTML {
        let written = scaffold.written(policy: policy)
        let secrets = SecretMatcher(policy: policy)
        let rows = written.map { key -> HTML in
            let secret = key.type == "PASSWORD" || secrets.isSecret(key.name)
            let value = scaffold.value(of: key, policy: policy)
            let problems = errors?[key.name] ?? []
            let input: HTML = secret
                ? "<input name=\"key.\(key.name)\" value=\"\(value)\" size=\"70\" pattern=\"\\$\\{.*\\}\" title=\"a config-provider reference such as ${file:...}\">"
                : "<input name=\"key.\(key.name)\" value=\"\(value == ConnectorScaffold.placeholder ? "" : value)\" size=\"70\" placeholder=\"\(ConnectorScaffold.placeholder)\">"
            return """
                <tr><td><code>\(key.name)</code><br><span class="muted">\(key.type)\(secret ? " · secret: a reference, never the value" : "")</span></td>\
                <td>\(input)\(problems.isEmpty ? "" : "<br><span class=\"state failed\">\(problems.joined(separator: "; "))</span>" as HTML)</td>\
                <td class="muted">\(key.documentation ?? "")</td></tr>
                """
        }
        let verdict: HTML = switch errors {
        case nil: ""
        case let errors? where errors.isEmpty: "<p class=\"banner\">Connect accepts this config.</p>"
        case let errors?: "<p class=\"banner warning\">\(errors.count) key(s) to fix: \(errors.keys.sorted().joined(separator: ", ")) (Connect's words, or a placeholder left).</p>"
        }
        let hidden: HTML = "<input type=\"hidden\" name=\"team\" value=\"\(scaffold.team)\"><input type=\"hidden\" name=\"cluster\" value=\"\(scaffold.cluster)\"><input type=\"hidden\" name=\"class\" value=\"\(scaffold.connectorClass)\"><input type=\"hidden\" name=\"name\" value=\"\(scaffold.name)\">"
        return """
            <h2>\(scaffold.team)_\(scaffold.name) <span class="muted">\(scaffold.sink ? "sink" : "source"), \(scaffold.connectorClass) \(scaffold.version ?? "")</span></h2>
            <form method="get" action="/new-connector">\(hidden)
            <table><thead><tr><th>Key</th><th>Value</th><th>What it is</th></tr></thead><tbody>\(rows)</tbody></table>
            <button name="check" value="1">Check with Connect</button> <button name="download" value="1">Download \(scaffold.name).yaml</button></form>
            \(verdict)
            <h3>teams/\(scaffold.team)/connectors/\(scaffold.name).yaml</h3>
            <pre id="scaffold">\(scaffold.yaml(policy: policy))</pre>
            """
    }
}
