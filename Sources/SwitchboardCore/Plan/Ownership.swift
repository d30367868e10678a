/// What Switchboard does with a connector it finds on a cluster, in the words that the plan,
/// the apply output and the web UI all use.
public enum Ownership: String, Sendable, Codable, CaseIterable {
    /// The catalog defines it; apply keeps it as the catalog says.
    case managed
    /// Its name carries a catalog team's prefix, the catalog no longer defines it, and its
    /// team's folder was read cleanly: the next apply deletes it.
    case deletedByNextApply = "deleted-by-next-apply"
    /// Not in the catalog, but marked `switchboard.protect`: never deleted.
    case protected
    /// Not in the catalog, but its team's folder had a problem: kept until the folder reads cleanly.
    case keptTeamFolderIncomplete = "kept-team-folder-incomplete"
    /// Its name carries no catalog team: never touched.
    case unmanaged

    /// The phrase shown beside the connector.
    public var phrase: String {
        switch self {
        case .managed: return "in the catalog"
        case .deletedByNextApply: return "not in the catalog: the next apply deletes it"
        case .protected: return "not in the catalog, but protected (\(ConnectorDefinition.protectKey)): apply never deletes it"
        case .keptTeamFolderIncomplete: return "not in the catalog, but its team's folder has problems: kept until it reads cleanly"
        case .unmanaged: return "unmanaged: its name carries no catalog team; left alone"
        }
    }
}
