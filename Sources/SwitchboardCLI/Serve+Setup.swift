import ArgumentParser
import Crypto
import Foundation
import Hummingbird
import Logging
import Reconciler
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardMetrics
import SwitchboardServer
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb

/// What `serve` sets up before it listens: storage, sign-in, the webhook secret.
extension Serve {
    /// The audit log and the server's storage: PostgreSQL with --database, else the SQLite file.
    func openAuditLog(logger: Logger) async throws -> AuditLog {
        guard let databaseURL else {
            return try Output.guarding { try AuditLog(path: auditDb) }
        }
        let location = try Output.guarding { try PostgresStorage.Location(databaseURL) }
        print("Connecting to PostgreSQL at \(location)...")
        fflush(nil)
        return AuditLog(storage: try await Output.guarding { try await PostgresStorage(location, timeout: max(options.networkTimeout, .seconds(5)), logger: logger) })
    }

    /// How people sign in: the session secret, local users, trusted proxies, or --insecure-dev.
    func authSettings(_ catalog: Catalog) throws -> AuthSettings {
        var auth = AuthSettings(secureCookies: secureCookies)
        if let secret = ProcessInfo.processInfo.environment["SWITCHBOARD_SESSION_SECRET"], !secret.isEmpty {
            auth.secret = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
        }
        if let usersFile {
            auth.localUsers = try Output.guarding { try LocalUsers.load(from: URL(fileURLWithPath: usersFile)) }
        }
        if !trustedProxies.isEmpty {
            auth.proxy = .init(trustedProxies: trustedProxies.compactMap(AddressRange.init))
        }
        if insecureDev {
            auth.insecureDevelopmentUser = User(name: "developer", groups: catalog.admins.groups.prefix(1).map { $0 }, source: .insecureDevelopment)
            if catalog.admins.groups.isEmpty {
                Output.error("--insecure-dev acts as a platform admin, but switchboard.yaml names no admin group (admins.groups).")
                throw ExitCode.failure
            }
        }
        return auth
    }

    /// The webhook secret from --webhook-secret-file, else $SWITCHBOARD_WEBHOOK_SECRET; nil without either.
    func loadWebhookSecret() throws -> [UInt8]? {
        var text: String
        if let webhookSecretFile {
            do {
                text = try String(contentsOfFile: webhookSecretFile, encoding: .utf8)
            } catch {
                Output.error("cannot read the webhook secret file \(webhookSecretFile): \(error.localizedDescription)")
                throw ExitCode.failure
            }
        } else if let value = ProcessInfo.processInfo.environment["SWITCHBOARD_WEBHOOK_SECRET"] {
            text = value
        } else {
            return nil
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 16 else {
            Output.error("the webhook secret (\(webhookSecretFile ?? "$SWITCHBOARD_WEBHOOK_SECRET")) is \(text.isEmpty ? "empty" : "shorter than 16 characters"); make one with: openssl rand -hex 32")
            throw ExitCode.failure
        }
        return Array(text.utf8)
    }
}
