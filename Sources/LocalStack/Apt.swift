import Foundation

/// Installs Debian packages with apt-get, as root or through `sudo -n`.
struct Apt {
    let progress: ProgressReporter

    func install(_ packages: [String], purpose: String) async throws {
        guard Command.which("apt-get") != nil else {
            throw StackError("\(purpose) is missing and this machine has no apt-get; install \(packages.joined(separator: " ")) by hand.")
        }
        let prefix: [String]
        if getuid() == 0 {
            prefix = []
        } else if Command.which("sudo") != nil {
            prefix = ["sudo", "-n"]
        } else {
            throw StackError("\(purpose) is missing and installing it needs root: run `sudo apt-get install -y \(packages.joined(separator: " "))`.")
        }
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        if Self.packageListsAreEmpty {
            progress("Refreshing apt package lists (apt-get update)")
            try await run(prefix + ["apt-get", "update", "-q"], environment: environment, purpose: purpose)
        }
        let installArguments = prefix + ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + packages
        let first = try await Command.run(installArguments[0], Array(installArguments.dropFirst()), environment: environment)
        if first.succeeded { return }
        // Stale lists: refresh once and try again.
        progress("Refreshing apt package lists and retrying")
        try await run(prefix + ["apt-get", "update", "-q"], environment: environment, purpose: purpose)
        try await run(installArguments, environment: environment, purpose: purpose)
    }

    private func run(_ arguments: [String], environment: [String: String], purpose: String) async throws {
        let result = try await Command.run(arguments[0], Array(arguments.dropFirst()), environment: environment)
        guard result.succeeded else {
            throw StackError("Could not install \(purpose): `\(arguments.joined(separator: " "))` failed:\n" + result.tail().joined(separator: "\n"))
        }
    }

    static var packageListsAreEmpty: Bool {
        let lists = (try? FileManager.default.contentsOfDirectory(atPath: "/var/lib/apt/lists")) ?? []  // no folder: no lists, so `apt-get update` runs
        return !lists.contains { $0.hasSuffix("_Packages") || $0.hasSuffix("_Packages.lz4") || $0.hasSuffix("_Packages.gz") }
    }
}
