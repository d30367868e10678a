/// `plan --output markdown`: the plan as a pull-request comment. Deletes come first and loud
/// (a caution block at the top, then first in each cluster); each cluster shows its environment;
/// key changes are in a collapsed diff. Secret values are masked by the planner, and the whole
/// text goes through the scrubber besides (a comment is text leaving the platform).
extension PlanRenderer {
    /// `reviewers`: each team's reviewers (team.yaml), mentioned when their team is affected.
    public static func markdown(_ plan: Plan, deleteLimit: Int? = nil, reviewers: [String: [String]] = [:]) -> String {
        var lines = ["### Switchboard plan", ""]
        let deletes = plan.deletes
        if !deletes.isEmpty {
            lines.append("> [!CAUTION]")
            lines.append("> **This plan DELETES \(deletes.count) connector\(deletes.count == 1 ? "" : "s"):** " + deletes.map { code("\($0.cluster)/\($0.connector)") }.joined(separator: ", "))
            if let deleteLimit, deletes.count > deleteLimit {
                lines.append("> That is more than `policy.maxDeletesPerApply` (\(deleteLimit)): apply refuses it unless given `--allow-mass-delete`.")
            }
            lines.append("")
        }
        if !plan.impact.entries.isEmpty {
            let affected = plan.impact.affectedTeams
            if !affected.isEmpty {
                lines.append("> [!WARNING]")
                lines.append("> **This plan changes the input of other teams' connectors** (" + affected.map { code($0) }.joined(separator: ", ") + ").")
                let mentions = affected.flatMap { reviewers[$0] ?? [] }
                if !mentions.isEmpty { lines.append("> Reviewers of the affected teams: " + mentions.joined(separator: " ")) }
                lines.append("")
            }
            lines.append("**Impact (from the lineage)**")
            lines.append("")
            for line in impactLines(plan) { lines.append("- " + cell(line.trimmingCharacters(in: .whitespaces))) }
            lines.append("")
        }
        lines.append("**\(summaryLine(plan))**")
        for cluster in plan.clusters {
            lines.append("")
            lines.append("#### Cluster \(code(cluster.cluster))" + (cluster.environment.map { " (environment \(code($0)))" } ?? ""))
            lines.append("")
            let ordered = cluster.changes.filter { $0.action == .delete } + cluster.changes.filter { $0.action != .delete }
            if ordered.isEmpty && cluster.kept.isEmpty {
                lines.append("No changes (\(cluster.unchanged.count) unchanged, \(cluster.unmanaged.count) unmanaged).")
                continue
            }
            lines.append("| | Connector | Change | Defined in |")
            lines.append("|---|---|---|---|")
            for change in ordered {
                lines.append("| \(symbol(change)) | \(code(change.connector)) | \(cell(what(change))) | \(change.source.map { code($0.description) } ?? "") |")
            }
            for kept in cluster.kept {
                lines.append("| kept | \(code(kept.connector)) | \(cell(kept.reason.phrase)) | |")
            }
            if !cluster.unchanged.isEmpty || !cluster.unmanaged.isEmpty {
                lines.append("")
                lines.append("\(cluster.unchanged.count) unchanged, \(cluster.unmanaged.count) unmanaged (left alone).")
            }
            let diffs = ordered.filter { !$0.keyChanges.isEmpty && $0.action != .delete }
            if !diffs.isEmpty {
                var body: [String] = []
                for change in diffs {
                    body.append("\(change.action == .create ? "+" : "~") \(change.connector)")
                    for key in change.keyChanges {
                        switch key.kind {
                        case .added: body.append("+   \(key.key) = \(quote(key.new))")
                        case .removed: body.append("-   \(key.key) = \(quote(key.old))")
                        case .changed:
                            body.append("-   \(key.key) = \(quote(key.old))")
                            body.append("+   \(key.key) = \(quote(key.new))")
                        }
                    }
                }
                let fence = String(repeating: "`", count: max(3, longestBacktickRun(body.joined(separator: "\n")) + 1))
                lines.append("")
                lines.append("<details><summary>Key changes on \(cluster.cluster)</summary>")
                lines.append("")
                lines.append(fence + "diff")
                lines.append(contentsOf: body)
                lines.append(fence)
                lines.append("</details>")
            }
        }
        return Scrubber.scrub(lines.joined(separator: "\n")) + "\n"
    }

    static func symbol(_ change: Change) -> String {
        switch change.action {
        case .create: "create"
        case .update: "update"
        case .changeState: "state"
        case .delete: "**DELETE**"
        }
    }

    static func what(_ change: Change) -> String {
        switch change.action {
        case .create: "create, \(change.toState?.rawValue ?? "running")"
        case .update: "\(change.keyChanges.count) key(s)" + (change.changesState ? ", state \(change.fromState ?? "?") -> \(change.toState?.rawValue ?? "?")" : "")
        case .changeState: "state \(change.fromState ?? "?") -> \(change.toState?.rawValue ?? "?")"
        case .delete: Ownership.deletedByNextApply.phrase
        }
    }

    /// Inline code that survives any backticks in the text.
    static func code(_ text: String) -> String {
        let ticks = String(repeating: "`", count: longestBacktickRun(text) + 1)
        let padded = text.hasPrefix("`") || text.hasSuffix("`") ? " \(text) " : text
        return cell(ticks + padded + ticks)
    }

    /// A table cell: `|` escaped, one line.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
