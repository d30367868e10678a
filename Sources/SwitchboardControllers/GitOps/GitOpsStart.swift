import Foundation
import Reconciler
import SwitchboardAPI
import SwitchboardCore

/// What a server following a repository starts with.
public struct GitOpsStart: Sendable {
    public var catalog: Catalog
    public var connections: ClusterConnections
    /// The commit served.
    public var commit: GitRepository.Commit
    /// The branch's newest commit, when it could be fetched.
    public var fetched: GitRepository.Commit?
    /// The newest commit when it was refused (the commit served is then an earlier one).
    public var rejected: GitOpsStatus.Rejected?
}
