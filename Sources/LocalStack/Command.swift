import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a program to completion and captures its output (installers, pg_ctl, probes).
/// Built on swift-subprocess, which watches each child through its own pidfd; Foundation's
/// `Process.waitUntilExit` was seen to hang for ever in a process that starts several children.
enum Command {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
        /// The last `count` non-empty lines of the output.
        func tail(_ count: Int = 15) -> [String] {
            Array(output.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).map(String.init))
        }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`; output and error
    /// are collected together (up to 8 MiB).
    @discardableResult
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: URL? = nil,
        asUser user: String? = nil
    ) async throws -> Result {
        guard var path = executable.hasPrefix("/") ? executable : which(executable) else {
            throw StackError("\(executable) is not installed (not found on PATH)")
        }
        var arguments = arguments
        if let user {
            // Not PlatformOptions.userID: swift-subprocess then calls setgroups in the forked child,
            // which deadlocks in a multi-threaded parent (glibc's setxid waits for the parent's threads).
            arguments = ["--reuid=\(user)", "--regid=\(user)", "--init-groups", "--", path] + arguments
            path = "/usr/bin/setpriv"
        }
        do {
            let result = try await Subprocess.run(
                .path(FilePath(path)),
                arguments: Arguments(arguments),
                environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
                workingDirectory: currentDirectory.map { FilePath($0.path) },
                output: .string(limit: 8 << 20),
                error: .combinedWithOutput
            )
            let status: Int32
            switch result.terminationStatus {
            case .exited(let code): status = code
            case .signaled(let signal): status = 128 + signal
            }
            return Result(status: status, output: result.standardOutput)
        } catch let error as StackError {
            throw error
        } catch {
            throw StackError("Could not run \(path): \(error)")
        }
    }

    /// The full path of a program on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}
