import ConnectClient
import Foundation
import SwitchboardCore

/// The guards before the first write: the deletion limit, and Connect's own validation of every
/// connector to create or update. A plan that fails either is not written at all.
extension Applier {
    /// Why nothing was written.
    public enum Refusal: Error, Sendable, CustomStringConvertible {
        /// More deletes than the policy allows in one apply.
        case tooManyDeletes(deletes: [Change], limit: Int)
        /// Connect rejects the config of connectors to create or update.
        case rejectedByConnect([Violation])
        /// A cluster could not be asked to validate.
        case unreachable(ClustersUnreachable)

        public var description: String {
            switch self {
            case .tooManyDeletes(let deletes, let limit):
                return "the plan deletes \(deletes.count) connectors, more than policy.maxDeletesPerApply (\(limit)); nothing was applied.\n"
                    + deletes.map { "  - \($0.cluster)/\($0.connector)" }.joined(separator: "\n")
                    + "\nIf these deletes are meant, run apply again with --allow-mass-delete (or raise policy.maxDeletesPerApply in switchboard.yaml)."
            case .rejectedByConnect(let violations):
                return "Connect rejects \(violations.count == 1 ? "a config" : "configs") of this plan; nothing was applied.\n" + CatalogError(violations: violations).violations.map(\.description).joined(separator: "\n")
            case .unreachable(let error):
                return "cannot validate the plan with Connect; nothing was applied.\n\(error)"
            }
        }
    }

    /// Checks the plan against the deletion limit and has Connect validate every connector it
    /// creates or updates. Throws when anything is wrong; writes nothing.
    public func preflight(_ plan: Plan, catalog: Catalog) async throws(Refusal) {
        let deletes = plan.deletes
        let limit = catalog.policy.maxDeletesPerApply
        if deletes.count > limit && !options.allowMassDelete {
            throw .tooManyDeletes(deletes: deletes, limit: limit)
        }
        let written = Set(plan.changes.filter { $0.action == .create || $0.action == .update }.map { "\($0.cluster)/\($0.connector)" })
        let connectors = catalog.connectors.filter { written.contains("\($0.cluster)/\($0.fullName)") }
        guard !connectors.isEmpty else { return }
        let violations: [Violation]
        do {
            violations = try await ServerValidator(catalog: catalog, connections: connections, parallelism: options.validationParallelism).validate(connectors)
        } catch {
            throw .unreachable(error)
        }
        if !violations.isEmpty { throw .rejectedByConnect(violations) }
    }
}
