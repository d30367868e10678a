import ArgumentParser
import Foundation
import SwitchboardWeb

/// `switchboard users ...`: local users for the embedded sign-in.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage local users for `switchboard serve --users-file`.",
        subcommands: [HashPassword.self]
    )

    struct HashPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a bcrypt hash of a password read from standard input, for a users file's passwordHash.",
            discussion: "Example:\n  printf '%s' 'a long passphrase' | switchboard users hash-password"
        )

        @Option(help: "bcrypt cost (work factor).")
        var cost = 12

        func run() async throws {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                Output.error("give the password on standard input, e.g. printf '%s' 'passphrase' | switchboard users hash-password")
                throw ExitCode.failure
            }
            print(LocalUsers.hash(password, cost: UInt8(clamping: cost)))
        }
    }
}
