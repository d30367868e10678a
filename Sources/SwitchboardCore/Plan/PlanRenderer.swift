/// Writes a ``Plan`` for people, in the manner of `terraform plan`:
///
/// ```
/// Cluster ingest
///   + payments_orders         create, running        teams/payments/connectors/orders.yaml:1
///       + topics = "orders"
///   ~ payments_audit          update                 teams/payments/connectors/audit.yaml:1
///       ~ tasks.max: "1" -> "2"
///   > payments_export         state RUNNING -> paused
///   - payments_old            DELETE
///   ? legacy-export           unmanaged, left alone
/// ```
///
/// Deletes stand out: the plan opens with every connector it deletes, and each cluster lists
/// its deletes first.
public enum PlanRenderer {
    /// `deleteLimit` is the policy's limit per apply; a plan above it says that apply will refuse.
    public static func render(_ plan: Plan, deleteLimit: Int? = nil) -> String {
        var lines: [String] = []
        let deletes = plan.deletes
        if !deletes.isEmpty {
            lines.append("!! This plan DELETES \(deletes.count) connector\(deletes.count == 1 ? "" : "s"): \(abbreviated(deletes.map { "\($0.cluster)/\($0.connector)" }))")
            if let deleteLimit, deletes.count > deleteLimit {
                lines.append("!! That is more than policy.maxDeletesPerApply (\(deleteLimit)): apply refuses it unless given --allow-mass-delete.")
            }
            lines.append("")
        }
        if !plan.impact.entries.isEmpty {
            lines.append("Impact on other teams (from the lineage):")
            lines.append(contentsOf: impactLines(plan).map { "  " + $0 })
            lines.append("")
        }
        for cluster in plan.clusters {
            lines.append("Cluster \(cluster.cluster)" + (cluster.environment.map { " (environment \($0))" } ?? ""))
            if cluster.changes.isEmpty && cluster.unchanged.isEmpty && cluster.unmanaged.isEmpty && cluster.kept.isEmpty {
                lines.append("  (no connectors)")
            }
            for change in cluster.changes.filter({ $0.action == .delete }) + cluster.changes.filter({ $0.action != .delete }) {
                lines.append(contentsOf: render(change))
            }
            for kept in cluster.kept {
                lines.append("  ! \(kept.connector)  kept: \(kept.reason.phrase)")
            }
            if !cluster.unchanged.isEmpty {
                lines.append("  = \(cluster.unchanged.count) unchanged: \(abbreviated(cluster.unchanged))")
            }
            for name in cluster.unmanaged.prefix(listLimit) {
                lines.append("  ? \(name)  (\(Ownership.unmanaged.phrase))")
            }
            if cluster.unmanaged.count > listLimit {
                lines.append("  ? ... and \(cluster.unmanaged.count - listLimit) more unmanaged (--output json lists them all)")
            }
            lines.append("")
        }
        lines.append(summaryLine(plan))
        return lines.joined(separator: "\n")
    }

    /// How many names a list shows before it only counts the rest.
    static let listLimit = 10

    /// `names` joined, the first ``listLimit`` of them, then a count of the rest.
    public static func abbreviated(_ names: [String]) -> String {
        names.count <= listLimit
            ? names.joined(separator: ", ")
            : names.prefix(listLimit).joined(separator: ", ") + ", ... and \(names.count - listLimit) more"
    }

    public static func summaryLine(_ plan: Plan) -> String {
        let summary = plan.summary
        let kept = summary.kept > 0 ? " \(summary.kept) kept although not in the catalog." : ""
        guard plan.hasChanges else {
            return "No changes. The clusters match the catalog (\(summary.unchanged) managed connector\(summary.unchanged == 1 ? "" : "s"), \(summary.unmanaged) unmanaged).\(kept)"
        }
        return "Plan: \(summary.create) to create, \(summary.update) to update, \(summary.changeState) state change\(summary.changeState == 1 ? "" : "s"), \(summary.delete) to DELETE.\(kept)"
    }

    static func render(_ change: Change) -> [String] {
        let symbol: String
        var what: String
        switch change.action {
        case .create:
            symbol = "+"
            what = "create, \(change.toState?.rawValue ?? "running")"
        case .update:
            symbol = "~"
            what = "update" + (change.changesState ? ", state \(change.fromState ?? "?") -> \(change.toState?.rawValue ?? "?")" : "")
        case .changeState:
            symbol = ">"
            what = "state \(change.fromState ?? "?") -> \(change.toState?.rawValue ?? "?")"
        case .delete:
            symbol = "-"
            what = "DELETE (\(Ownership.deletedByNextApply.phrase))"
        }
        var lines = ["  \(symbol) \(change.connector)  \(what)" + (change.source.map { "  [\($0)]" } ?? "")]
        if change.action == .update {
            for key in change.keyChanges {
                switch key.kind {
                case .added: lines.append("      + \(key.key) = \(quote(key.new))")
                case .removed: lines.append("      - \(key.key) = \(quote(key.old))")
                case .changed: lines.append("      ~ \(key.key): \(quote(key.old)) -> \(quote(key.new))")
                }
            }
        } else if change.action == .create {
            for key in change.keyChanges {
                lines.append("      + \(key.key) = \(quote(key.new))")
            }
        }
        return lines
    }

    /// One line per thing the impact says: each reader that loses or changes its input, a
    /// source change whose readers are unknown, a sink's new input and where it comes from.
    public static func impactLines(_ plan: Plan) -> [String] {
        var lines: [String] = []
        for entry in plan.impact.entries {
            let who = "\(entry.cluster)/\(entry.connector)" + (entry.team.map { " (team \($0))" } ?? "")
            switch entry.kind {
            case .stopsInput, .changesInput:
                let verb = entry.kind == .stopsInput ? "stops the input of" : "changes the input of"
                for reader in entry.readers {
                    lines.append("!! \(who) \(verb) \(reader.cluster)/\(reader.connector)" + (reader.team.map { " (team \($0))" } ?? "") + " on topic \(reader.topic)")
                }
                if entry.readers.isEmpty {
                    let topics = entry.topics.isEmpty ? "its topics" : "topic" + (entry.topics.count == 1 ? " " : "s ") + entry.topics.joined(separator: ", ")
                    lines.append("?  \(who) \(entry.kind == .stopsInput ? "stops writing" : "no longer writes") \(topics): no connector of another team reads \(entry.topics.count == 1 ? "it" : "them")")
                }
                for note in entry.unknown { lines.append("   (\(note))") }
            case .sinkInput:
                let from = entry.producers.map { "\($0.topic) from \($0.cluster)/\($0.connector)" + ($0.team.map { " (team \($0))" } ?? "") }
                let unwritten = entry.topics.filter { topic in !entry.producers.contains { $0.topic == topic } }
                lines.append("~  \(who) now reads " + (from + unwritten.map { "\($0), which no connector here writes" }).joined(separator: "; "))
                for note in entry.unknown { lines.append("   (\(note))") }
            }
        }
        return lines
    }

    static func quote(_ value: String?) -> String {
        guard let value else { return "(none)" }
        return value == SecretMatcher.mask ? value : "\"\(value)\""
    }
}
