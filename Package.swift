// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "connect-fleet", targets: ["connect-fleet"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "ConnectClient", targets: ["ConnectClient"]),
        .library(name: "SwitchboardAPI", targets: ["SwitchboardAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Catalog, policy and planning: pure values and functions, no IO but reading catalog files.
        .target(
            name: "SwitchboardCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Logging through the scrubber: no log line can carry a secret.
        .target(
            name: "SwitchboardLogging",
            dependencies: ["SwitchboardCore", .product(name: "Logging", package: "swift-log")]
        ),
        // The one policy for outgoing HTTP: the shared client, deadlines, size caps, retries of
        // idempotent calls, and what a failed wait saw, in words (scrubbed).
        .target(
            name: "Outbound",
            dependencies: [
                "SwitchboardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The only code that speaks the Kafka Connect REST API.
        .target(
            name: "ConnectClient",
            dependencies: [
                "Outbound", "SwitchboardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Reads the clusters' live state, applies plans, asks Connect to validate configs, and
        // carries out the operations on one connector (restart, pause, offsets, ...).
        .target(
            name: "Reconciler",
            dependencies: ["SwitchboardCore", "ConnectClient", "Outbound", .product(name: "Logging", package: "swift-log")]
        ),
        // zlib, for inflating tar.gz plugin archives (compress-nio does not report a truncated stream).
        .systemLibrary(name: "CSwitchboardZlib", providers: [.apt(["zlib1g-dev"])]),
        // Renders Prometheus rules, Alertmanager routes per team, JMX exporter rules and a Grafana dashboard.
        .target(name: "SwitchboardMonitoring", dependencies: ["SwitchboardCore", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "SwitchboardKubernetes",
            dependencies: ["SwitchboardCore", "SwitchboardMonitoring", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // librdkafka (Debian's librdkafka-dev), for reading consumer-group lag.
        .systemLibrary(name: "CRdKafka", providers: [.apt(["librdkafka-dev"])]),
        // The lag of sink connectors' consumer groups, read from the broker with librdkafka.
        // The RUNPATH lets binaries built here load librdkafka 2.16 from the project's cache (see
        // Prerequisites.ensureLibrdkafka); where that folder does not exist, Debian's library serves.
        .target(
            name: "KafkaLag",
            dependencies: ["CRdKafka"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../../../.switchboard/cache/librdkafka"])]
        ),
        // Plugin artifacts: stores, mirror, install into plugin.path, verify on the workers.
        .target(
            name: "SwitchboardPlugins",
            dependencies: [
                "SwitchboardCore", "ConnectClient", "Outbound", "CSwitchboardZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // The server, in layers; each imports only those below it (README: "Modules").
        // The API's shapes: what pages, the JSON API and the CLI show (pure Codable values), and
        // the OpenAPI document derived from them.
        .target(name: "SwitchboardAPI", dependencies: ["SwitchboardCore", "ConnectClient"]),
        // What the server keeps: records, the ServerStorage protocol with its SQLite and
        // PostgreSQL backends, their one list of schema migrations, sessions, the audit log.
        .target(
            name: "SwitchboardStorage",
            dependencies: [
                "SwitchboardAPI", "SwitchboardCore", "Outbound",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What every cluster looks like now: one bulk read per cluster per poll, built into a
        // read model that pages, the API and the controllers consume.
        .target(
            name: "SwitchboardSnapshot",
            dependencies: [
                "SwitchboardAPI", "SwitchboardCore", "ConnectClient", "Reconciler",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Where data goes and how it moves: topics, lineage, history, lag and throughput, and
        // the pollers that read them.
        .target(
            name: "SwitchboardDataFlow",
            dependencies: [
                "SwitchboardSnapshot", "SwitchboardAPI", "SwitchboardCore", "ConnectClient", "Outbound", "KafkaLag",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The Prometheus metrics of /metrics (swift-prometheus), following the snapshots.
        .target(
            name: "SwitchboardMetrics",
            dependencies: [
                "SwitchboardSnapshot", "SwitchboardAPI", "SwitchboardCore", "KafkaLag",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The controllers: auto-restart and GitOps, lifecycle Services that decide from the
        // snapshot and write through the Reconciler.
        .target(
            name: "SwitchboardControllers",
            dependencies: [
                "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardMetrics", "SwitchboardAPI", "SwitchboardCore", "ConnectClient", "Reconciler",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The web: routes, sign-in and permissions, pages and the JSON API. It routes,
        // authorises and renders; what it does goes through the modules below.
        .target(
            name: "SwitchboardWeb",
            dependencies: [
                "SwitchboardControllers", "SwitchboardDataFlow", "SwitchboardMetrics", "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardAPI",
                "SwitchboardCore", "ConnectClient", "Reconciler", "KafkaLag",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // `switchboard serve` assembled: the one place the server's modules are wired together.
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardWeb", "SwitchboardControllers", "SwitchboardDataFlow", "SwitchboardMetrics", "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Installs, lays out, starts and stops the project-owned local stack (broker, Connect workers, PostgreSQL).
        .target(
            name: "LocalStack",
            dependencies: [
                "ConnectClient", "SwitchboardCore", "SwitchboardPlugins",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Every command of the command line (swift-argument-parser), as a library so that its
        // commands can be run in tests without the real stack.
        .target(
            name: "SwitchboardCLI",
            dependencies: [
                "SwitchboardCore", "ConnectClient", "Outbound", "Reconciler", "SwitchboardPlugins", "SwitchboardAPI", "SwitchboardStorage", "SwitchboardSnapshot",
                "SwitchboardDataFlow", "SwitchboardMetrics", "SwitchboardControllers", "SwitchboardWeb", "SwitchboardServer", "SwitchboardMonitoring",
                "SwitchboardKubernetes", "LocalStack", "SwitchboardLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The thin executable: runs SwitchboardCLI with the process's arguments.
        .executableTarget(name: "switchboard", dependencies: ["SwitchboardCLI"]),

        // Bench tooling: a simulated fleet of Connect clusters (bench/scale.sh), for cost at a
        // size real workers cannot reach here. Nothing in the product depends on it.
        .target(
            name: "ConnectFleet",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "connect-fleet",
            dependencies: ["ConnectFleet", "SwitchboardStorage", "SwitchboardControllers", "SwitchboardAPI",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log")]
        ),

        // Light test support for unit tests: catalog folders, misbehaving servers on port 0
        // (FaultServer), hostile archives, running a program, waiting with a deadline. It never
        // starts the local stack.
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Test support for the server: a server over a catalog and a seeded snapshot, and signed-in
        // requests through HummingbirdTesting, shared by unit and integration tests.
        .target(
            name: "ServerTesting",
            dependencies: [
                "SwitchboardServer", "SwitchboardWeb", "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardDataFlow", "SwitchboardCore", "ConnectClient", "Reconciler", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Integration test support: the real local stack shared by the integration tests of one
        // test run, the built CLI, a real artifact server.
        .target(
            name: "StackTesting",
            dependencies: ["LocalStack", "ConnectClient", "Outbound", "TestSupport"]
        ),

        // Unit tests, one target per module: none links the local stack.
        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardLogging", "TestSupport", .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "SwitchboardCore", "ConnectClient", "Outbound", "TestSupport"]),
        .testTarget(name: "ConnectClientTests", dependencies: ["ConnectClient", "Outbound", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "KafkaLagTests", dependencies: ["KafkaLag", "TestSupport"]),
        .testTarget(name: "SwitchboardPluginsTests", dependencies: ["SwitchboardPlugins", "SwitchboardCore", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "SwitchboardAPITests", dependencies: ["SwitchboardAPI", "SwitchboardCore", "ConnectClient"]),
        .testTarget(
            name: "SwitchboardStorageTests",
            dependencies: ["SwitchboardStorage", "SwitchboardAPI", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "SwitchboardSnapshotTests", dependencies: ["SwitchboardSnapshot", "SwitchboardAPI", "SwitchboardCore", "ConnectClient", "ServerTesting", "TestSupport"]),
        .testTarget(
            name: "SwitchboardMetricsTests",
            dependencies: [
                "SwitchboardMetrics", "SwitchboardSnapshot", "SwitchboardDataFlow", "SwitchboardWeb", "SwitchboardServer", "SwitchboardAPI", "ServerTesting", "ConnectClient", "KafkaLag",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SwitchboardControllersTests",
            dependencies: [
                "SwitchboardControllers", "SwitchboardServer", "SwitchboardWeb", "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardDataFlow", "SwitchboardMetrics",
                "SwitchboardAPI", "SwitchboardCore", "ServerTesting", "ConnectClient", "Reconciler", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SwitchboardWebTests",
            dependencies: [
                "SwitchboardWeb", "SwitchboardServer", "SwitchboardControllers", "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardDataFlow", "SwitchboardMetrics",
                "SwitchboardAPI", "SwitchboardCore", "ServerTesting", "ConnectClient", "Reconciler", "TestSupport", "KafkaLag",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(name: "SwitchboardCLITests", dependencies: ["SwitchboardCLI", "SwitchboardAPI", "SwitchboardCore", "TestSupport"]),
        .testTarget(name: "SwitchboardMonitoringTests", dependencies: ["SwitchboardMonitoring", "SwitchboardCore", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "SwitchboardKubernetesTests", dependencies: ["SwitchboardKubernetes", "SwitchboardCore", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "LocalStackTests", dependencies: ["LocalStack", "TestSupport"]),
        // Against the real local stack (scripts/test starts it once and stops it after).
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ConnectFleet",
                "StackTesting", "ServerTesting", "TestSupport", "LocalStack", "ConnectClient", "Outbound", "SwitchboardCore", "Reconciler", "SwitchboardServer", "SwitchboardWeb",
                "SwitchboardSnapshot", "SwitchboardStorage", "SwitchboardDataFlow", "SwitchboardMetrics", "SwitchboardControllers", "SwitchboardAPI", "KafkaLag",
                "SwitchboardKubernetes",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
