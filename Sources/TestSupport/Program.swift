import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a program for a test and collects what it wrote.
public enum Program {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `path arguments...` with `input` on stdin; the environment is this process's, updated by `environment`.
    public static func run(_ path: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) async throws -> Result {
        let result = try await Subprocess.run(
            .path(FilePath(path)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
            input: .string(input),
            output: .string(limit: 16 << 20),
            error: .string(limit: 16 << 20)
        )
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return Result(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }
}

extension Program {
    /// How a program ended after a signal.
    public struct Signalled: Sendable {
        public var status: Int32
        /// From the signal to the process's end.
        public var stoppedAfter: Duration
    }

    /// Runs `path arguments...` with its output appended to `log`; once `ready` says so (asked
    /// every 200 ms, within `within`), sends `signal` and waits for the end (within `within`
    /// again, then SIGKILL). `beforeSignal` runs just before the signal, `afterSignal` right
    /// after it, beside the process's stop (to watch what it does meanwhile).
    public static func runAndSignal(_ path: String, _ arguments: [String], environment: [String: String] = [:], log: URL, signal: Int32 = SIGTERM, within: Duration,
                                    ready: @escaping @Sendable () async throws -> Bool, afterSignal: @escaping @Sendable () async throws -> Void = {}) async throws -> Signalled {
        let file = try FileDescriptor.open(FilePath(log.path), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead])
        let watcher = Mutex<Task<Void, any Error>?>(nil)
        let result = try await Subprocess.run(
            .path(FilePath(path)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
            input: .none,
            output: .fileDescriptor(file, closeAfterSpawningProcess: true),
            error: .combinedWithOutput
        ) { execution -> ContinuousClock.Instant in
            let deadline = ContinuousClock.now + within
            while try await !ready() {
                guard ContinuousClock.now < deadline else {
                    try? execution.send(signal: .kill)
                    throw SetupError("\(path) was not ready within \(within); its log: \(log.path)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            try execution.send(signal: signal == SIGINT ? .interrupt : .terminate)
            let sent = ContinuousClock.now
            // Watched beside the stop, not before it ends: the time measured is the process's own.
            watcher.withLock { $0 = Task { try await afterSignal() } }
            // The process ends by itself, or is killed after `within` (and the status says so).
            let pid = execution.processIdentifier.value
            Task {
                try? await Task.sleep(until: sent + within)
                kill(pid, SIGKILL)
            }
            return sent
        }
        let status: Int32 = switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        let stoppedAfter = ContinuousClock.now - result.closureResult
        try await watcher.withLock { $0 }?.value
        return Signalled(status: status, stoppedAfter: stoppedAfter)
    }
}

/// Runs any program for a test's setup (building archives with tar or python3).
public enum ShellCommand {
    public struct Result: Sendable {
        public var status: Int32
        /// Standard output and error together.
        public var output: String
    }

    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let result = try await Program.run(path, arguments, environment: environment)
        return Result(status: result.status, output: result.stdout + result.stderr)
    }
}

/// A test's setup failed (a fixture could not be built).
public struct SetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
