import Foundation
import Logging
import PostgresNIO
import SwitchboardAPI

/// The GitOps controller's state.
extension PostgresStorage {
    public func gitopsClusters() async throws -> [GitOpsClusterRow] {
        let logger = self.logger
        return try await call("read the GitOps state") { client in
            var result: [GitOpsClusterRow] = []
            let rows = try await client.query("SELECT cluster, applied_hash, applied_at, matched_hash FROM gitops_clusters", logger: logger)
            for try await (cluster, applied, at, matched) in rows.decode((String, String?, Date?, String?).self) {
                result.append(GitOpsClusterRow(cluster: cluster, appliedHash: applied, appliedAt: at, matchedHash: matched))
            }
            return result
        }
    }

    public func saveGitopsCluster(_ row: GitOpsClusterRow) async throws {
        let logger = self.logger
        try await call("record the GitOps state") { client in
            try await client.query("""
                INSERT INTO gitops_clusters (cluster, applied_hash, applied_at, matched_hash) VALUES (\(row.cluster), \(row.appliedHash), \(row.appliedAt), \(row.matchedHash))
                ON CONFLICT (cluster) DO UPDATE SET applied_hash = excluded.applied_hash, applied_at = excluded.applied_at, matched_hash = excluded.matched_hash
                """, logger: logger)
            return ()
        }
    }

    public func servedCommit() async throws -> String? {
        let logger = self.logger
        return try await call("read the commit served") { client in
            for try await hash in try await client.query("SELECT hash FROM gitops_served WHERE id = 1", logger: logger).decode(String.self) { return hash }
            return nil
        }
    }

    public func serveCommit(_ hash: String) async throws {
        let logger = self.logger
        try await call("record the commit served") { client in
            try await client.query("INSERT INTO gitops_served (id, hash) VALUES (1, \(hash)) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash", logger: logger)
            return ()
        }
    }

    public func saveGitopsStatus(_ status: GitOpsStatus) async throws {
        let json = String(decoding: try JSONEncoder.storage.encode(status), as: UTF8.self)
        let logger = self.logger
        try await call("record the GitOps status") { client in
            try await client.query("INSERT INTO gitops_status (id, json) VALUES (1, \(json)) ON CONFLICT (id) DO UPDATE SET json = excluded.json", logger: logger)
            return ()
        }
    }

    public func gitopsStatus() async throws -> GitOpsStatus? {
        let logger = self.logger
        let json: String? = try await call("read the GitOps status") { client in
            for try await json in try await client.query("SELECT json FROM gitops_status WHERE id = 1", logger: logger).decode(String.self) { return json }
            return nil
        }
        return try json.map { try JSONDecoder.storage.decode(GitOpsStatus.self, from: Data($0.utf8)) }
    }

    public func requestSync(cluster: String?, by user: String) async throws {
        let logger = self.logger
        try await call("record a sync request") { client in
            try await client.query("INSERT INTO gitops_requests (cluster, \"user\") VALUES (\(cluster ?? ""), \(user))", logger: logger)
            return ()
        }
    }

    public func takeSyncRequests() async throws -> [(cluster: String?, user: String)] {
        let logger = self.logger
        return try await call("take the sync requests") { client in
            var result: [(cluster: String?, user: String)] = []
            let rows = try await client.query("DELETE FROM gitops_requests RETURNING cluster, \"user\"", logger: logger)
            for try await (cluster, user) in rows.decode((String, String).self) { result.append((cluster.isEmpty ? nil : cluster, user)) }
            return result
        }
    }
}

/// The controllers' documents (auto-restart's counts, syncs under way).
extension PostgresStorage {
    public func controllerState(prefix: String) async throws -> [String: String] {
        let logger = self.logger
        return try await call("read the controllers' state") { client in
            var result: [String: String] = [:]
            // A prefix compared as text: LIKE would read % and _ in a connector's name as wildcards.
            let rows = try await client.query("SELECT key, json FROM controller_state WHERE left(key, \(Int32(prefix.unicodeScalars.count))) = \(prefix)", logger: logger)
            for try await (key, json) in rows.decode((String, String).self) { result[key] = json }
            return result
        }
    }

    public func saveControllerState(_ documents: [String: String], deleting: [String]) async throws {
        guard !documents.isEmpty || !deleting.isEmpty else { return }
        let logger = self.logger
        try await call("record the controllers' state") { client in
            try await client.withTransaction(logger: logger) { connection in
                let now = Date()
                for (key, json) in documents {
                    try await connection.query("""
                        INSERT INTO controller_state (key, json, updated_at) VALUES (\(key), \(json), \(now))
                        ON CONFLICT (key) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at
                        """, logger: logger)
                }
                for key in deleting { try await connection.query("DELETE FROM controller_state WHERE key = \(key)", logger: logger) }
            }
            return ()
        }
    }
}
