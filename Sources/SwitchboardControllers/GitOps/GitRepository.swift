import Foundation
import Subprocess
import SwitchboardAPI
import SwitchboardCore
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The catalog repository the GitOps controller follows, through the `git` command.
///
/// A bare copy under the controller's state folder is fetched (only the followed branch), and
/// each commit to load is checked out as a worktree of its own, so that a catalog in use never
/// changes under the server. Every command runs under coreutils' `timeout`, which kills git and
/// its helpers (ssh, git-remote-https) as a group; git never prompts for a password
/// (`GIT_TERMINAL_PROMPT=0`, ssh in batch mode). What git prints is scrubbed before it is kept
/// or shown: a URL may carry a token.
public struct GitRepository: Sendable {
    /// A URL git understands, or a local path.
    public var url: String
    public var branch: String
    /// The catalog's folder inside the repository (nil: its top).
    public var folder: String?
    /// Where the bare copy and the checkouts live.
    public var stateFolder: URL
    /// The longest any one git command may take.
    public var deadline: Duration

    /// Why `url` and `branch` cannot be followed, or nil when they can (checked before any git
    /// command: an argument that starts with `-` would be read as an option).
    public static func problem(url: String, branch: String) -> String? {
        if url.trimmingCharacters(in: .whitespaces).isEmpty { return "the repository is empty; give a URL git can fetch or a local path" }
        if url.hasPrefix("-") { return "the repository '\(Scrubber.scrub(url))' starts with '-'; give a URL git can fetch or a local path" }
        if url.contains("::") { return "the repository '\(Scrubber.scrub(url))' names a git remote helper (::); give an https, ssh, git or file URL, or a local path" }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters).union(CharacterSet(charactersIn: "~^:?*[\\"))
        if branch.isEmpty || branch.hasPrefix("-") || branch.hasPrefix("/") || branch.hasSuffix("/") || branch.hasSuffix(".lock") || branch.contains("..")
            || branch.contains("@{") || branch.unicodeScalars.contains(where: forbidden.contains) {
            return "'\(branch)' is not a branch name git accepts"
        }
        return nil
    }

    public init(url: String, branch: String = "main", folder: String? = nil, stateFolder: URL, deadline: Duration = .seconds(120)) {
        self.url = url
        self.branch = branch
        self.folder = folder.flatMap { $0.isEmpty || $0 == "." ? nil : $0 }
        self.stateFolder = stateFolder
        self.deadline = deadline
    }

    public typealias Commit = SwitchboardAPI.Commit

    /// What went wrong, as it may be shown anywhere: scrubbed when made (it can quote a URL
    /// with a token, or a catalog's problem).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String

        public init(description: String) {
            self.description = Scrubber.scrub(description)
        }
    }

    var bare: URL { stateFolder.appendingPathComponent("repository.git", isDirectory: true) }
    var checkouts: URL { stateFolder.appendingPathComponent("checkouts", isDirectory: true) }

    /// Fetches the branch and returns its newest commit.
    public func fetch() async throws(Failure) -> Commit {
        if let problem = Self.problem(url: url, branch: branch) { throw Failure(description: problem) }
        if !FileManager.default.fileExists(atPath: bare.appendingPathComponent("HEAD").path) {
            do {
                try FileManager.default.createDirectory(at: stateFolder, withIntermediateDirectories: true)
            } catch {
                throw Failure(description: "cannot create the GitOps state folder \(stateFolder.path): \(error.localizedDescription)")
            }
            try await git(["init", "--bare", "--quiet", bare.path], what: "prepare a copy of the repository")
        }
        let ref = "refs/heads/\(branch)"
        // The URL on the command line, not in a remote: it may carry a token, and the state
        // folder is not the place to keep one.
        try await git(["--git-dir", bare.path, "fetch", "--quiet", "--no-tags", "--force", "--end-of-options", url, "+\(ref):\(ref)"],
                      what: "fetch branch \(branch) of \(url)")
        return try await commit(ref)
    }

    /// A commit of the bare copy (a hash or a ref).
    public func commit(_ revision: String) async throws(Failure) -> Commit {
        let separator = "\u{1F}"
        let text = try await git(["--git-dir", bare.path, "log", "-1", "--format=%H%x1f%an%x1f%ct%x1f%s", revision, "--"], what: "read commit \(revision)")
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: separator)
        guard fields.count == 4, fields[0].count >= 40, let seconds = TimeInterval(fields[2]) else {
            throw Failure(description: "git described commit \(revision) in a form Switchboard does not understand: \(Scrubber.scrub(String(text.prefix(200))))")
        }
        return Commit(hash: fields[0], author: Scrubber.scrub(fields[1]), subject: Scrubber.scrub(fields[3]), date: Date(timeIntervalSince1970: seconds))
    }

    /// Commits in `newer` that `older` does not have (how far a cluster is behind).
    public func count(from older: String, to newer: String) async throws(Failure) -> Int {
        let text = try await git(["--git-dir", bare.path, "rev-list", "--count", "\(older)..\(newer)"], what: "count commits between \(older.prefix(10)) and \(newer.prefix(10))")
        guard let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure(description: "git counted commits as '\(Scrubber.scrub(String(text.prefix(100))))'")
        }
        return count
    }

    /// Checks out `commit` in a folder of its own and returns the catalog folder in it.
    public func checkout(_ commit: Commit) async throws(Failure) -> URL {
        let target = checkouts.appendingPathComponent(commit.hash, isDirectory: true)
        if FileManager.default.fileExists(atPath: target.path) {
            try await git(["--git-dir", bare.path, "worktree", "remove", "--force", target.path], what: "remove an earlier checkout of \(commit.short)", allowFailure: true)
            try? FileManager.default.removeItem(at: target)  // a folder git no longer knew: the checkout below fails if it is still there
        }
        try await git(["--git-dir", bare.path, "worktree", "prune"], what: "prune checkouts")
        try await git(["--git-dir", bare.path, "worktree", "add", "--force", "--detach", "--quiet", target.path, commit.hash], what: "check out \(commit.short)")
        guard let folder else { return target }
        let catalog = target.appendingPathComponent(folder, isDirectory: true).standardizedFileURL
        guard catalog.path.hasPrefix(target.standardizedFileURL.path + "/") else {
            throw Failure(description: "the catalog folder '\(folder)' is outside the repository")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: catalog.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure(description: "commit \(commit.short) has no folder '\(folder)' (the catalog's folder, --git-folder)")
        }
        return catalog
    }

    /// Removes every checkout but those of `keep` (the catalog in use, and the one being loaded).
    public func pruneCheckouts(keeping keep: Set<String>) async {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkouts.path)) ?? []  // none yet: nothing to prune
        for name in names where !keep.contains(name) {
            _ = try? await git(["--git-dir", bare.path, "worktree", "remove", "--force", checkouts.appendingPathComponent(name).path], what: "remove checkout", allowFailure: true)
        }
        _ = try? await git(["--git-dir", bare.path, "worktree", "prune"], what: "prune checkouts", allowFailure: true)
    }

    /// Runs git under `timeout`, and returns what it printed; a failure says what git said.
    @discardableResult
    func git(_ arguments: [String], what: String, allowFailure: Bool = false) async throws(Failure) -> String {
        let seconds = max(1, Int(deadline.components.seconds))
        // Only transports that move data: never `ext::` (which runs a command) or the like.
        var environment: [Environment.Key: String?] = ["GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C",
                                                      "GIT_ALLOW_PROTOCOL": "file:git:http:https:ssh"]
        if ProcessInfo.processInfo.environment["GIT_SSH_COMMAND"] == nil {
            environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        }
        let result: (status: TerminationStatus, output: String?, error: String?)
        do {
            let run = try await Subprocess.run(
                .name("timeout"),
                arguments: Arguments(["--kill-after=5", "\(seconds)", "git"] + arguments),
                environment: .inherit.updating(environment),
                output: .string(limit: 4 << 20),
                error: .string(limit: 1 << 20)
            )
            result = (run.terminationStatus, run.standardOutput, run.standardError)
        } catch {
            throw Failure(description: "could not run git to \(what): \(error) (is git installed?)")
        }
        let said = Scrubber.scrub(((result.error ?? "") + (result.output ?? "")).trimmingCharacters(in: .whitespacesAndNewlines))
        switch result.status {
        case .exited(0):
            return result.output ?? ""
        case .exited(124), .exited(137), .signaled:
            if allowFailure { return "" }
            throw Failure(description: "git did not \(what) within \(seconds) s" + (said.isEmpty ? " (it printed nothing)" : "; it printed: \(String(said.suffix(500)))"))
        case .exited(let code):
            if allowFailure { return "" }
            throw Failure(description: "git could not \(what) (exit \(code)): \(said.isEmpty ? "it printed nothing" : String(said.suffix(800)))")
        }
    }
}
