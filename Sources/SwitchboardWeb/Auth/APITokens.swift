@preconcurrency import Crypto
import Foundation
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStorage

/// Personal API tokens for the CLI and scripts, sent as `Authorization: Bearer sbt_...`.
/// A signed-in user creates one (shown once), lists and revokes theirs; the server keeps its
/// SHA-256 only, in the database that holds the audit log.
public final class APITokens: Sendable {
    public static let prefix = "sbt_"
    public static let maxDays = TokenRequest.maxDays

    let storage: any ServerStorage
    let localUsers: LocalUsers?

    public init(storage: any ServerStorage, localUsers: LocalUsers?) {
        self.storage = storage
        self.localUsers = localUsers
    }

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Makes a token for `user`, good for `days`; returns the token (to show once) and its record.
    public func create(for user: User, name: String, days: Int, now: Date = Date()) async throws -> (token: String, record: APIToken) {
        // A name is shown in lists, pages and the audit log: stored as the scrubber leaves it.
        let name = Scrubber.scrub(name.trimmingCharacters(in: .whitespaces))
        guard (1...64).contains(name.count), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw Problem(description: "A token's name is 1 to 64 printable characters, such as \"ci deploy\".")
        }
        guard (1...Self.maxDays).contains(days) else {
            throw Problem(description: "A token is good for 1 to \(Self.maxDays) days (got \(days)).")
        }
        let token = Self.prefix + Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        let record = APIToken(user: user.name, groups: user.groups.joined(separator: "\n"), source: user.source, name: name, hash: Self.hash(token),
                              createdAt: now, expiresAt: now.addingTimeInterval(Double(days) * 86_400))
        return (token, try await storage.insertToken(record))
    }

    /// The user a token stands for, or why it does not.
    public func authenticate(_ token: String, now: Date = Date()) async -> Result<User, Problem> {
        let refused = Problem(description: "the API token is unknown, expired or revoked; make a new one on the Tokens page")
        guard token.hasPrefix(Self.prefix), token.utf8.count < 200 else { return .failure(refused) }
        let record: APIToken?
        do {
            record = try await storage.token(hash: Self.hash(token))
        } catch {
            return .failure(Problem(description: "API tokens cannot be read: \(error)"))
        }
        guard var record, record.revokedAt == nil, record.expiresAt > now else { return .failure(refused) }
        var user = User(name: record.user, groups: record.groups.split(separator: "\n").map(String.init), source: .token)
        if record.source == .local {
            // A local user's groups are the users file's now; a user taken out of it has no tokens.
            guard let current = localUsers?.user(named: record.user) else { return .failure(refused) }
            user.groups = current.groups
        }
        // When it was last used, to the minute (not a write per request).
        if record.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            record.lastUsedAt = now
            try? await storage.updateToken(record)  // a missed "last used" stamp is not worth refusing the request
        }
        return .success(user)
    }

    /// The user's tokens, newest first.
    public func list(for user: String) async throws -> [TokenSummary] {
        try await storage.tokens(user: user).map(\.summary)
    }

    /// Revokes one of the user's tokens; false when they have none with that id.
    public func revoke(id: Int64, of user: String, now: Date = Date()) async throws -> Bool {
        guard var record = try await storage.token(id: id, user: user) else { return false }
        if record.revokedAt == nil {
            record.revokedAt = now
            try await storage.updateToken(record)
        }
        return true
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
