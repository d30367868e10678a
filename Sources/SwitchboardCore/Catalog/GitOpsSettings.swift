/// What the GitOps controller of `switchboard serve --git-repository` does on one cluster
/// (`gitops:` of switchboard.yaml, over which a cluster's own `gitops:` goes).
public struct GitOpsSettings: Sendable, Equatable, Codable {
    /// Whether a new commit is applied.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Each new good commit is planned and applied (with every guard of `apply`).
        case auto
        /// The plan of each new commit is shown as pending; someone applies it by hand.
        case manual
    }

    /// What happens to a change made behind Switchboard's back (a connector edited or paused
    /// on the cluster itself).
    public enum Drift: String, Sendable, Codable, CaseIterable {
        /// Restored on the next sync (Argo CD's self-heal); needs `mode: auto`.
        case correct
        /// Shown in the UI, the API and metrics only; the next new commit restores it.
        case report
    }

    public var mode: Mode
    public var drift: Drift

    public init(mode: Mode = .auto, drift: Drift = .report) {
        self.mode = mode
        self.drift = drift
    }

    /// Whether drift alone (no new commit) makes the controller write.
    public var correctsDrift: Bool { mode == .auto && drift == .correct }
}
