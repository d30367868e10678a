import ConnectClient
import SwitchboardCore
import SwitchboardPlugins
import Foundation

/// The project's own local platform: a Tansu broker, one or more Kafka Connect clusters in
/// distributed mode, and optionally PostgreSQL, all on 127.0.0.1 and all under one home folder.
///
/// `up` is idempotent: what already runs is left alone, what is missing is installed and
/// started. `down` stops only what this stack started (pid files with a command-line check).
public struct LocalStack: Sendable {
    public let configuration: StackConfiguration
    let progress: ProgressReporter

    public init(configuration: StackConfiguration, progress: @escaping ProgressReporter = { _ in }) {
        self.configuration = configuration
        self.progress = progress
    }

    var home: URL { configuration.home }

    /// The broker process.
    public var broker: Daemon {
        Daemon(name: "broker", directory: home.appendingPathComponent("broker"), file: "broker")
    }

    /// Worker `number` (from 1) of `cluster`. Workers run in the stack's home, so that relative
    /// paths in connector configs (FileStream files, `${file:secrets/x.properties:key}`
    /// references) resolve there.
    public func worker(_ cluster: String, _ number: Int) -> Daemon {
        Daemon(name: "\(cluster) worker \(number)", directory: workerDirectory(cluster, number), file: "worker", workingDirectory: home)
    }

    func workerDirectory(_ cluster: String, _ number: Int) -> URL {
        home.appendingPathComponent("clusters/\(cluster)/worker-\(number)")
    }

    /// The shared `plugin.path` folder of a cluster's workers.
    public func pluginPath(of cluster: String) -> URL {
        configuration.clusters.first { $0.name == cluster }?.pluginPath ?? home.appendingPathComponent("clusters/\(cluster)/plugins")
    }

    /// PostgreSQL, when configured.
    public var postgres: LocalPostgres? {
        configuration.postgresPort.map { LocalPostgres(home: home.appendingPathComponent("postgres"), port: $0) }
    }

    // MARK: up

    /// Installs what is missing, starts what is not running, and waits until every worker
    /// answers `/health` 200. Returns the state of every component.
    @discardableResult
    public func up() async throws -> StackStatus {
        let distribution = try await Prerequisites(cache: configuration.cache, progress: progress).ensure(postgres: configuration.postgresPort != nil, versions: configuration.versions)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try checkPorts()

        let brokerStarted = try await startBroker(distribution)
        if brokerStarted {
            // The broker keeps everything in memory: workers of an earlier broker lost their topics.
            for cluster in configuration.clusters {
                for number in try runningWorkerNumbers(of: cluster.name) where worker(cluster.name, number).stop() {
                    progress("Stopped \(cluster.name) worker \(number): the broker was restarted and its topics are gone")
                }
            }
        }
        let changedPluginSets = try await installPlugins(distribution)
        var started: [(Daemon, Int32, URL)] = []
        for (clusterIndex, cluster) in configuration.clusters.enumerated() {
            let classpath = try distribution.classpath(cluster.version, excluding: cluster.classpathExclusions)
            if try restartForAnotherRelease(cluster) {
                progress("Stopped \(cluster.name)'s workers: they ran another Connect release than \(cluster.version.release)")
            }
            if changedPluginSets.contains(cluster.name) {
                for number in try runningWorkerNumbers(of: cluster.name) where worker(cluster.name, number).stop() {
                    progress("Stopped \(cluster.name) worker \(number) to load its new plugin set (plugins are read at start)")
                }
            }
            for number in try runningWorkerNumbers(of: cluster.name) where number > cluster.workers {
                progress("Stopping \(cluster.name) worker \(number) (the cluster now has \(cluster.workers))")
                worker(cluster.name, number).stop()
            }
            for number in 1...max(cluster.workers, 1) {
                if let start = try await startWorker(cluster.name, index: clusterIndex, number: number, distribution: distribution, classpath: classpath) {
                    started.append(start)
                }
            }
        }
        if let postgres {
            try await postgres.start(bin: distribution.postgresBin!, progress: progress)
        }
        if !started.isEmpty {
            progress("Waiting for \(started.count) worker(s) to answer /health (about 10-40 s)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (daemon, pid, url) in started {
                    group.addTask { try await waitHealthy(daemon, pid: pid, url: url) }
                }
                try await group.waitForAll()
            }
        }
        try saveConfiguration()
        return await status()
    }

    /// Starts one worker unless it runs; returns it to wait for, or nil when it ran already.
    func startWorker(_ cluster: String, index clusterIndex: Int, number: Int, distribution: Distribution, classpath: String) async throws -> (Daemon, Int32, URL)? {
        let daemon = worker(cluster, number)
        let home = WorkerHome(
            cluster: cluster, number: number,
            port: configuration.port(cluster: clusterIndex, worker: number - 1),
            directory: workerDirectory(cluster, number),
            pluginPath: pluginPath(of: cluster),
            bootstrapServers: configuration.bootstrapServers
        )
        if let pid = daemon.runningPID {
            progress("\(daemon.name) already runs (pid \(pid)) at \(home.url)")
            return nil
        }
        try home.write()
        try configuration.clusters[clusterIndex].version.rawValue.write(to: releaseFile(cluster), atomically: true, encoding: .utf8)
        progress("Starting \(daemon.name) (Connect \(configuration.clusters[clusterIndex].version.release)) on \(home.url)")
        let pid = try await daemon.start(distribution.java.path, home.arguments(classpath: classpath, heap: configuration.workerHeap))
        return (daemon, pid, home.url)
    }

    /// Starts one stopped worker of a running stack and waits until it answers `/health`
    /// (a fault test brings back the worker it killed, and nothing else).
    public func startWorker(_ cluster: String, _ number: Int) async throws {
        guard let index = configuration.clusters.firstIndex(where: { $0.name == cluster }) else {
            throw StackError("No cluster \(cluster) in this stack.")
        }
        let distribution = try await Prerequisites(cache: configuration.cache, progress: progress).ensure(postgres: configuration.postgresPort != nil, versions: configuration.versions)
        let classpath = try distribution.classpath(configuration.clusters[index].version, excluding: configuration.clusters[index].classpathExclusions)
        if let (daemon, pid, url) = try await startWorker(cluster, index: index, number: number, distribution: distribution, classpath: classpath) {
            try await waitHealthy(daemon, pid: pid, url: url)
        }
    }

    /// `clusters/<name>/connect-release`: the release its workers were started with.
    func releaseFile(_ cluster: String) -> URL {
        home.appendingPathComponent("clusters/\(cluster)/connect-release")
    }

    /// Stops the running workers of `cluster` when they were started with another release than
    /// the one it asks for now; true when it stopped any. A release file that cannot be read is
    /// an error: what runs must be known before anything is stopped or started.
    func restartForAnotherRelease(_ cluster: StackConfiguration.Cluster) throws -> Bool {
        let running = try runningWorkerNumbers(of: cluster.name)
        guard !running.isEmpty else { return false }
        let file = releaseFile(cluster.name)
        // Workers of a stack from before versions were recorded ran the standard release.
        var recorded = ConnectVersion.standard.rawValue
        if FileManager.default.fileExists(atPath: file.path) {
            do {
                recorded = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw StackError("Cannot read \(file.path): \(error.localizedDescription)")
            }
        }
        guard recorded != cluster.version.rawValue else { return false }
        for number in running { worker(cluster.name, number).stop() }
        return true
    }

    /// Refuses to start when a port the stack needs is held by a process it did not start.
    func checkPorts() throws {
        var needed: [(Int, Daemon?, String)] = [(configuration.brokerPort, broker, "the broker")]
        for (clusterIndex, cluster) in configuration.clusters.enumerated() {
            for number in 1...max(cluster.workers, 1) {
                needed.append((configuration.port(cluster: clusterIndex, worker: number - 1), worker(cluster.name, number), "\(cluster.name) worker \(number)"))
            }
        }
        if let postgres {
            needed.append((postgres.port, nil, "PostgreSQL"))
        }
        for (port, daemon, purpose) in needed {
            let ours = daemon?.isRunning ?? (postgres?.isRunning ?? false)
            if !ours, !PortProbe.isFree(port) {
                throw StackError("Port \(port) (for \(purpose)) is taken by a process this stack did not start. Stop that process, or choose other ports (see `switchboard dev up --help`).")
            }
        }
    }

    /// Starts the broker unless it runs; returns whether it was started now.
    func startBroker(_ distribution: Distribution) async throws -> Bool {
        let daemon = broker
        if let pid = daemon.runningPID {
            progress("Broker already runs (pid \(pid)) at \(configuration.bootstrapServers)")
            return false
        }
        progress("Starting the broker (Tansu) at \(configuration.bootstrapServers)")
        let listener = "tcp://\(configuration.bootstrapServers)"
        let pid = try await daemon.start(distribution.broker.path, ["broker", "--listener-url", listener, "--advertised-listener-url", listener])
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if PortProbe.accepts(configuration.brokerPort) { return true }
            guard Daemon.isAlive(pid) else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StackError("The broker did not start listening on \(configuration.bootstrapServers).", logFile: daemon.logFile.path, logTail: daemon.logTail())
    }

    /// Fills each cluster's plugin.path the way production does: the artifacts are mirrored
    /// into an artifact store, and `PluginInstaller` installs each cluster's set from there.
    /// Returns the clusters whose set changed (their running workers must restart).
    func installPlugins(_ distribution: Distribution) async throws -> Set<String> {
        let bundled = try BundledPlugin.artifact(from: distribution, cache: configuration.cache)
        let manifest: PluginManifest
        let base: URL
        switch configuration.plugins {
        case .bundled:
            base = home
            manifest = PluginManifest(
                store: .init(url: home.appendingPathComponent("artifact-store").path),
                builtinClasses: [], artifacts: [bundled],
                clusterSets: Dictionary(uniqueKeysWithValues: configuration.clusters.map { ($0.name, [bundled.name]) })
            )
        case .manifest(let catalogManifest, let catalogBase):
            manifest = catalogManifest
            base = catalogBase
        }
        let store = try ArtifactStores.make(manifest.store ?? .init(url: home.appendingPathComponent("artifact-store").path), base: base)
        var changed: Set<String> = []
        do throws(PluginError) {
            _ = try await PluginMirror(store: store, base: base, progress: progress).mirror(manifest.artifacts)
            for cluster in configuration.clusters where cluster.pluginPath == nil {
                let artifacts = manifest.artifacts(for: cluster.name)
                let report = try await PluginInstaller(store: store).install(artifacts, into: pluginPath(of: cluster.name))
                if !report.installed.isEmpty || !report.removed.isEmpty {
                    progress("Installed \(cluster.name)'s plugin set from \(store): \(artifacts.map { "\($0.name) \($0.version)" }.joined(separator: ", "))")
                    changed.insert(cluster.name)
                }
            }
        } catch {
            throw StackError("Could not install the plugins: \(error.message)")
        }
        return changed
    }

    /// Polls `/health` until 200; fails early, with the log's last lines, if the process exits.
    func waitHealthy(_ daemon: Daemon, pid: Int32, url: URL) async throws {
        let client = ConnectClient(endpoint: ConnectEndpoint(url: url), requestTimeout: .seconds(5), readRetry: .none)
        let deadline = ContinuousClock.now + configuration.healthTimeout
        while ContinuousClock.now < deadline {
            if (try? await client.isHealthy()) == true {  // not yet answering is what this loop waits out
                progress("\(daemon.name) is healthy at \(url)")
                return
            }
            guard Daemon.isAlive(pid) else {
                throw StackError("\(daemon.name) exited before it became healthy.", logFile: daemon.logFile.path, logTail: daemon.logTail())
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw StackError("\(daemon.name) did not become healthy at \(url)/health within \(configuration.healthTimeout).", logFile: daemon.logFile.path, logTail: daemon.logTail())
    }

    /// Worker numbers that have a running process, including ones beyond the configured count.
    func runningWorkerNumbers(of cluster: String) throws -> [Int] {
        try Self.entries(of: home.appendingPathComponent("clusters/\(cluster)")).compactMap { $0.hasPrefix("worker-") ? Int($0.dropFirst(7)) : nil }
            .sorted()
            .filter { worker(cluster, $0).isRunning }
    }

    /// The names in a folder of the home: none when the folder does not exist (nothing was
    /// started there); any other failure is an error, since what runs is decided from them.
    static func entries(of directory: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StackError("Cannot list \(directory.path): \(error.localizedDescription)")
        }
    }

    // MARK: down

    /// Stops every process this stack started (workers first, then PostgreSQL, then the broker).
    /// Returns the names of what was stopped.
    @discardableResult
    public func down() async throws -> [String] {
        var stopped: [String] = []
        for cluster in try Self.entries(of: home.appendingPathComponent("clusters")).sorted() {
            for number in try runningWorkerNumbers(of: cluster) {
                let daemon = worker(cluster, number)
                progress("Stopping \(daemon.name)")
                if daemon.stop() { stopped.append(daemon.name) }
            }
        }
        if let postgres = postgres ?? LocalPostgres.existing(under: home), postgres.isRunning {
            progress("Stopping PostgreSQL")
            try await postgres.stop()
            stopped.append("PostgreSQL")
        }
        if broker.isRunning {
            progress("Stopping the broker")
            if broker.stop() { stopped.append("broker") }
        }
        return stopped
    }

    // MARK: configuration on disk

    /// `stack.json` in the home: the configuration of the last `up`, so that `status` and `down`
    /// know the stack without being given the same flags again.
    static func configurationFile(home: URL) -> URL { home.appendingPathComponent("stack.json") }

    func saveConfiguration() throws {
        let saved = SavedConfiguration(configuration)
        try Data(JSONWriter.pretty(saved).utf8).write(to: Self.configurationFile(home: home))
    }

    /// The stack last brought up in `home`, or nil if there is none (no `stack.json`). A file
    /// that cannot be read is an error naming it: `down` must not take it for "nothing runs".
    public static func saved(home: URL, progress: @escaping ProgressReporter = { _ in }) throws -> LocalStack? {
        let file = configurationFile(home: home)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let saved: SavedConfiguration
        do {
            saved = try JSONDecoder().decode(SavedConfiguration.self, from: Data(contentsOf: file))
        } catch {
            throw StackError("Cannot read \(file.path): \(error.localizedDescription). Stop the stack's processes by hand or remove the file after checking.")
        }
        return LocalStack(configuration: saved.configuration(home: home), progress: progress)
    }
}

/// What `stack.json` holds.
struct SavedConfiguration: Codable {
    var brokerPort: Int
    var connectBasePort: Int
    var clusters: [String: Int]
    var clusterOrder: [String]
    /// Each cluster's Connect release (absent in files of stacks from before it was recorded:
    /// they ran the standard one).
    var versions: [String: ConnectVersion]?
    var postgresPort: Int?
    var cache: String

    init(_ configuration: StackConfiguration) {
        brokerPort = configuration.brokerPort
        connectBasePort = configuration.connectBasePort
        clusters = Dictionary(uniqueKeysWithValues: configuration.clusters.map { ($0.name, $0.workers) })
        clusterOrder = configuration.clusters.map(\.name)
        versions = Dictionary(uniqueKeysWithValues: configuration.clusters.map { ($0.name, $0.version) })
        postgresPort = configuration.postgresPort
        cache = configuration.cache.path
    }

    func configuration(home: URL) -> StackConfiguration {
        StackConfiguration(
            home: home,
            cache: URL(fileURLWithPath: cache),
            brokerPort: brokerPort,
            connectBasePort: connectBasePort,
            clusters: clusterOrder.map { StackConfiguration.Cluster(name: $0, workers: clusters[$0] ?? 1, version: versions?[$0] ?? .standard) },
            postgresPort: postgresPort
        )
    }
}
