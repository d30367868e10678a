import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

extension Permissions {
    /// Whether `user` may change the level of `logger` on `cluster`: platform admins may change
    /// any; an owner of a connector may change the loggers of its class (the class itself, its
    /// package, or anything below that package), never a wider one (`org.apache` would reach the
    /// Connect runtime and the Kafka clients of every team).
    public func mayChangeLogLevel(_ logger: String, cluster: String, user: User, snapshot: Snapshot) -> (allowed: Bool, reason: String) {
        if isAdmin(user) { return (true, "") }
        let owned = snapshot.clusters[cluster]?.connectorKeys.compactMap { snapshot.connectors[$0] }
            .filter { allows(.changeLogLevels, user, on: $0) } ?? []
        if owned.contains(where: { $0.connectorClass.map { Self.covers(logger, theClass: $0) } ?? false }) { return (true, "") }
        let classes = Set(owned.compactMap(\.connectorClass)).sorted()
        let yours = classes.isEmpty ? "you own no connector on cluster \(cluster)" : "your connectors there are of \(classes.joined(separator: ", "))"
        return (false, "changing logger \(logger) on cluster \(cluster) needs a platform admin, or an owner of a connector whose class \(logger) is or whose package contains it (\(yours))")
    }

    /// Whether `logger` names `theClass`, its package, or something below its package.
    static func covers(_ logger: String, theClass: String) -> Bool {
        guard let dot = theClass.lastIndex(of: ".") else { return logger == theClass }
        let package = String(theClass[..<dot])
        return logger == theClass || logger == package || logger.hasPrefix(package + ".")
    }
}
