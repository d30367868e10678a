import Foundation
import HummingbirdBcrypt
import SwitchboardAPI
import Yams

/// Local users with bcrypt-hashed passwords, from a file (the embedded default when no auth
/// proxy runs in front):
///
/// ```yaml
/// users:
///   - name: alice
///     passwordHash: "$2b$12$..."      # switchboard users hash-password
///     groups: [payments-eng]
///     email: alice@example.com
/// ```
public struct LocalUsers: Sendable {
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var passwordHash: String
        public var groups: [String]?
        public var email: String?

        public init(name: String, passwordHash: String, groups: [String]? = nil, email: String? = nil) {
            self.name = name
            self.passwordHash = passwordHash
            self.groups = groups
            self.email = email
        }
    }

    let entries: [String: Entry]

    public init(entries: [Entry]) {
        self.entries = Dictionary(entries.map { ($0.name, $0) }) { first, _ in first }
    }

    /// Reads the file; every problem is one message naming the file.
    public static func load(from file: URL) throws -> LocalUsers {
        struct File: Codable { var users: [Entry] }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ServerError("Cannot read the users file \(file.path): \(error.localizedDescription)")
        }
        do {
            let decoded = try YAMLDecoder().decode(File.self, from: text)
            for entry in decoded.users where !entry.passwordHash.hasPrefix("$2") {
                throw ServerError("\(file.path): user \(entry.name) has a passwordHash that is not a bcrypt hash; create one with `switchboard users hash-password`.")
            }
            return LocalUsers(entries: decoded.users)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError("\(file.path) is not a valid users file (a `users:` list of name, passwordHash, groups, email): \(error)")
        }
    }

    /// The user, when the password matches. Takes as long for an unknown name as for a known one.
    public func authenticate(name: String, password: String) -> User? {
        guard let entry = entries[name] else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return nil
        }
        guard Bcrypt.verify(password, hash: entry.passwordHash) else { return nil }
        return user(named: name)
    }

    /// The user a valid session names (nil if the user was removed from the file).
    public func user(named name: String) -> User? {
        entries[name].map { User(name: $0.name, groups: $0.groups ?? [], email: $0.email, source: .local) }
    }

    static let decoy = Bcrypt.hash("switchboard-decoy", cost: 12)

    /// A bcrypt hash for a users file.
    public static func hash(_ password: String, cost: UInt8 = 12) -> String {
        Bcrypt.hash(password, cost: cost)
    }
}

/// A problem that stops `serve`, or a request, with a message a person can act on.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
