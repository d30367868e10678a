/// Whether a plan that hurts other teams may be applied: under `policy.impact.crossTeam:
/// require-approval`, every affected team must be approved (`apply --approve-impact team:<name>`);
/// an approval must name a team the plan affects (anything else is a mistake, said as one).
public enum ImpactApproval {
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The teams named by `--approve-impact` values (`team:<name>`).
    public static func teams(_ values: [String]) throws(Refused) -> [String] {
        try values.map { value throws(Refused) -> String in
            let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "team", !parts[1].isEmpty else {
                throw Refused(message: "--approve-impact takes team:<name>, such as team:analytics (got '\(value)'). Nothing was applied.")
            }
            return parts[1]
        }
    }

    /// Throws when `approved` names a team the plan does not affect, or when the policy needs
    /// approval and an affected team is not approved; says which changes hurt whom.
    public static func check(_ impact: PlanImpact, rule: Policy.CrossTeamImpact, approved: [String]) throws(Refused) {
        let affected = impact.affectedTeams
        for team in approved where !affected.contains(team) {
            throw Refused(message: "--approve-impact team:\(team) names a team this plan does not affect"
                          + (affected.isEmpty ? " (it affects no other team)." : " (it affects \(affected.joined(separator: ", "))).") + " Nothing was applied.")
        }
        guard rule == .requireApproval else { return }
        let missing = affected.filter { !approved.contains($0) }
        guard !missing.isEmpty else { return }
        let hurt = impact.crossTeam.flatMap { entry in
            entry.readers.filter { missing.contains($0.team ?? "") }.map {
                "  \(entry.cluster)/\(entry.connector) \(entry.kind == .stopsInput ? "stops" : "changes") the input of \($0.cluster)/\($0.connector) (team \($0.team ?? "?")) on topic \($0.topic)"
            }
        }
        throw Refused(message: """
            this plan stops or changes the input of other teams' connectors, and policy.impact.crossTeam is require-approval:
            \(hurt.joined(separator: "\n"))
            Once those teams agree, run apply again with \(missing.map { "--approve-impact team:\($0)" }.joined(separator: " ")). Nothing was applied.
            """)
    }
}
