import Foundation
import Logging
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStorage

/// Loading a commit's catalog, and the commit a server starts with.
extension GitOpsController {
    static func lines(_ error: GitRepository.Failure) -> [String] {
        Scrubber.scrub(error.description).split(separator: "\n").map(String.init)
    }

    /// The catalog of `commit`, checked as `validate` checks it, with clients for its clusters.
    static func catalog(at commit: GitRepository.Commit, of repository: GitRepository, timeout: Duration, logger: Logger) async throws(GitRepository.Failure) -> (Catalog, ClusterConnections) {
        let folder = try await repository.checkout(commit)
        let catalog: Catalog
        do {
            catalog = try CatalogLoader.loadChecked(from: folder)
        } catch {
            throw GitRepository.Failure(description: "\(error)")
        }
        do {
            return (catalog, try ClusterConnections(catalog: catalog, timeout: timeout, logger: logger))
        } catch {
            throw GitRepository.Failure(description: "\(error)")
        }
    }

    /// The catalog a server following `repository` starts with: the branch's newest commit, or
    /// when it has problems (or cannot be fetched) the commit served last time; with neither,
    /// the error says what was wrong with each.
    public static func start(repository: GitRepository, audit: AuditLog, timeout: Duration, logger: Logger) async throws(GitRepository.Failure) -> GitOpsStart {
        let ledger = GitOpsLedger(storage: audit.storage)
        var problems: [String] = []
        var fetched: GitRepository.Commit?
        var rejected: GitOpsStatus.Rejected?
        do {
            let tip = try await repository.fetch()
            fetched = tip
            do {
                let (catalog, connections) = try await Self.catalog(at: tip, of: repository, timeout: timeout, logger: logger)
                try? await ledger.serve(tip.hash)  // recorded again at the next new commit; a failure here only costs the fallback
                return GitOpsStart(catalog: catalog, connections: connections, commit: tip, fetched: tip, rejected: nil)
            } catch {
                rejected = .init(commit: tip, at: Date(), problems: lines(error))
                problems.append("the newest commit \(tip.summary) has problems:\n" + lines(error).joined(separator: "\n"))
            }
        } catch {
            problems.append(error.description)
        }
        let served: String?
        do {
            served = try await ledger.served()
        } catch {
            throw GitRepository.Failure(description: problems.joined(separator: "\n") + "\nand the commit served last cannot be read from the database: \(error)")
        }
        if let served {
            do {
                let commit = try await repository.commit(served)
                let (catalog, connections) = try await Self.catalog(at: commit, of: repository, timeout: timeout, logger: logger)
                logger.warning("GitOps: starting with the commit served last", metadata: ["commit": "\(commit.summary)"])
                return GitOpsStart(catalog: catalog, connections: connections, commit: commit, fetched: fetched, rejected: rejected)
            } catch {
                problems.append("the commit served last (\(served.prefix(10))) cannot be loaded either: \(error.description)")
            }
        }
        throw GitRepository.Failure(description: "there is no good commit to serve: " + problems.joined(separator: "\n"))
    }
}
