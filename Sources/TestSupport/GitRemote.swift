import Foundation

/// A bare repository in a temporary folder (the "remote" a GitOps controller follows) and a
/// work tree whose commits are pushed to it, for tests.
public struct GitRemote: Sendable {
    /// The bare repository: give its path as the URL to follow.
    public let bare: URL
    /// The work tree, where a test writes files and commits.
    public let work: URL
    public let branch: String

    /// `work`: an existing folder to commit from (a test's catalog folder); else a new one.
    public init(work: URL? = nil, branch: String = "main") async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("git-\(UUID().uuidString)")
        bare = root.appendingPathComponent("origin.git")
        self.work = work ?? root.appendingPathComponent("work")
        self.branch = branch
        try FileManager.default.createDirectory(at: self.work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try await Self.git(["init", "--bare", "--quiet", "--initial-branch", branch, bare.path], in: root)
        try await Self.git(["init", "--quiet", "--initial-branch", branch], in: self.work)
        try await Self.git(["remote", "add", "origin", bare.path], in: self.work)
    }

    public func write(_ path: String, _ content: String) throws {
        try CatalogFolder(root: work).write(path, content)
    }

    public func remove(_ path: String) throws {
        try CatalogFolder(root: work).remove(path)
    }

    /// Commits everything in the work tree as `author` and pushes; returns the commit's hash.
    @discardableResult
    public func commitAndPush(_ message: String, author: String = "Ana") async throws -> String {
        try await Self.git(["add", "--all"], in: work)
        try await Self.git(["-c", "user.name=\(author)", "-c", "user.email=\(author.lowercased())@example.com", "commit", "--quiet", "--allow-empty", "-m", message], in: work)
        try await Self.git(["push", "--quiet", "--force", "origin", "HEAD:refs/heads/\(branch)"], in: work)
        return try await Self.git(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    @discardableResult
    static func git(_ arguments: [String], in folder: URL) async throws -> String {
        let result = try await Program.run("/usr/bin/git", ["-C", folder.path] + arguments, environment: ["GIT_CONFIG_NOSYSTEM": "1"])
        guard result.status == 0 else { throw Failure(description: "git \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }
}
