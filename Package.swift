// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "ConnectClient", targets: ["ConnectClient"]),
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
        // The only code that speaks the Kafka Connect REST API.
        .target(
            name: "ConnectClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Reads the clusters' live state, applies plans, and asks Connect to validate configs.
        .target(
            name: "Reconciler",
            dependencies: ["SwitchboardCore", "ConnectClient", .product(name: "Logging", package: "swift-log")]
        ),
        // zlib, for inflating tar.gz plugin archives (compress-nio does not report a truncated stream).
        .systemLibrary(name: "CSwitchboardZlib", providers: [.apt(["zlib1g-dev"])]),
        // Renders Prometheus rules, Alertmanager routes per team, JMX exporter rules and a Grafana dashboard.
        .target(name: "SwitchboardMonitoring", dependencies: ["SwitchboardCore"]),
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
                "SwitchboardCore", "ConnectClient", "CSwitchboardZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `switchboard serve`: the web UI and JSON API over every cluster, sign-in, actions, audit log.
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardCore", "ConnectClient", "Reconciler",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "KafkaLag",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
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
        // Integration test support: the real local stack shared by the integration tests of one
        // test run, the built CLI, a real artifact server.
        .target(
            name: "StackTesting",
            dependencies: ["LocalStack", "ConnectClient", "TestSupport"]
        ),
        // The thin command-line front end.
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardCore", "ConnectClient", "Reconciler", "SwitchboardPlugins", "SwitchboardServer", "SwitchboardMonitoring", "SwitchboardKubernetes", "LocalStack", "SwitchboardLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Unit tests, one target per module: none links the local stack.
        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardLogging", "TestSupport", .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "SwitchboardCore", "ConnectClient", "TestSupport"]),
        .testTarget(name: "ConnectClientTests", dependencies: ["ConnectClient", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "KafkaLagTests", dependencies: ["KafkaLag", "TestSupport"]),
        .testTarget(name: "SwitchboardPluginsTests", dependencies: ["SwitchboardPlugins", "SwitchboardCore", "TestSupport"]),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: [
                "SwitchboardServer", "SwitchboardCore", "ConnectClient", "Reconciler", "TestSupport", "KafkaLag",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "SwitchboardMonitoringTests", dependencies: ["SwitchboardMonitoring", "SwitchboardCore", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "SwitchboardKubernetesTests", dependencies: ["SwitchboardKubernetes", "SwitchboardCore", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "LocalStackTests", dependencies: ["LocalStack", "TestSupport"]),
        // Against the real local stack (scripts/test starts it once and stops it after).
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "StackTesting", "TestSupport", "LocalStack", "ConnectClient", "SwitchboardCore", "Reconciler", "SwitchboardServer", "KafkaLag", "SwitchboardKubernetes",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
