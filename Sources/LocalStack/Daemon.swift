import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A long-running process of the local stack, started detached (its own session, output to a
/// log file) and tracked by a pid file, so that later commands find it and stop only what the
/// stack itself started.
public struct Daemon: Sendable {
    /// A short name for messages ("broker", "dev worker 1").
    public let name: String
    /// The folder of the pid and log files.
    public let directory: URL
    /// The process's working directory. A pid counts as ours only if that process runs in this
    /// directory (a pid file can outlive its process, and a pid be reused).
    public let workingDirectory: URL
    public let pidFile: URL
    public let logFile: URL

    /// A daemon with `<file>.pid` and `<file>.log` in `directory`, running in `workingDirectory`
    /// (by default `directory`).
    public init(name: String, directory: URL, file: String, workingDirectory: URL? = nil) {
        self.name = name
        self.directory = directory.standardizedFileURL
        self.workingDirectory = (workingDirectory ?? directory).standardizedFileURL
        self.pidFile = directory.appendingPathComponent("\(file).pid")
        self.logFile = directory.appendingPathComponent("\(file).log")
    }

    /// The pid of the running process, or nil when it is not running (a stale pid file is ignored).
    public var runningPID: Int32? {
        // `try?`: no pid file is "not started"; a pid is then trusted only when that process runs
        // in this daemon's working directory.
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              pid > 0, Self.isAlive(pid),
              let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")
        else { return nil }
        // The kernel reports the physical folder: compare it with ours with links resolved (a
        // project reached through a symbolic link is the same project).
        return URL(fileURLWithPath: cwd).standardizedFileURL.path == workingDirectory.resolvingSymlinksInPath().path ? pid : nil
    }

    public var isRunning: Bool { runningPID != nil }

    /// Starts `executable arguments...` detached, appending output to ``logFile``; returns its pid.
    @discardableResult
    public func start(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
        try? fileManager.removeItem(at: pidFile)  // a stale pid file, or none; the new one is waited for below
        let log = try FileDescriptor.open(
            FilePath(logFile.path), .writeOnly,
            options: [.create, .append], permissions: [.ownerReadWrite, .groupRead, .otherRead]
        )

        // `setsid --fork` starts the program in its own session (a closed terminal or an ended test
        // run does not stop it) and returns at once; the shell writes its own pid, then execs the
        // program, which keeps that pid.
        let script = "echo $$ > \"$0\"; exec \"$@\""
        do {
            _ = try await Subprocess.run(
                .path("/usr/bin/setsid"),
                arguments: Arguments(["--fork", "/bin/sh", "-c", script, pidFile.path, executable] + arguments),
                workingDirectory: FilePath(workingDirectory.path),
                output: .fileDescriptor(log, closeAfterSpawningProcess: true),
                error: .combinedWithOutput
            )
        } catch {
            throw StackError("Could not start \(name) (\(executable)): \(error)")
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {  // `try?` below: the pid file appears when the shell has run
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw StackError("\(name) did not start: no pid file at \(pidFile.path)", logFile: logFile.path, logTail: logTail())
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL. Does nothing when not running.
    /// Returns whether a process was stopped.
    @discardableResult
    public func stop(grace: TimeInterval = 20) -> Bool {
        guard let pid = runningPID else {
            try? FileManager.default.removeItem(at: pidFile)  // stale: its process is gone
            return false
        }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline, kill(pid, 0) == 0, !Self.isZombie(pid) {
            usleep(100_000)
        }
        if kill(pid, 0) == 0, !Self.isZombie(pid) {
            kill(pid, SIGKILL)
            usleep(200_000)
        }
        try? FileManager.default.removeItem(at: pidFile)  // the process is gone; a leftover file is ignored by runningPID
        return true
    }

    /// Kills the process at once with SIGKILL, as a crash would (for failover tests).
    public func kill9() {
        if let pid = runningPID {
            kill(pid, SIGKILL)
            while kill(pid, 0) == 0, !Self.isZombie(pid) { usleep(50_000) }
        }
        try? FileManager.default.removeItem(at: pidFile)  // as in stop
    }

    /// The last `count` lines of the log.
    /// Best effort (`try?` throughout): it decorates an error that is reported anyway.
    public func logTail(_ count: Int = 25) -> [String] {
        guard let handle = try? FileHandle(forReadingFrom: logFile) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > 64_000 ? size - 64_000 : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map(String.init)
    }

    /// Whether process `pid` is alive (exists and is not a zombie). Unlike ``runningPID`` this does
    /// not read the command line, which is briefly empty while the starter shell execs the program.
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 && !isZombie(pid)
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),  // no stat: the process is gone, not a zombie
              let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first == "Z"
    }
}
