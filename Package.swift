// swift-tools-version: 6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
        .library(name: "VigilStore", targets: ["VigilStore"]),
        .library(name: "VigilServer", targets: ["VigilServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Pure engine: events → join → buckets → aggregates → metrics → windows. No I/O, no clocks.
        .target(
            name: "VigilCore",
            dependencies: [.product(name: "HeapModule", package: "swift-collections")],
            swiftSettings: settings),
        // Durability behind one Store interface: the append-only event log, metadata and engine snapshots;
        // SQLite (GRDB) embedded, or a shared PostgreSQL (postgres-nio).
        .target(
            name: "VigilStore",
            dependencies: [
                "VigilCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        // The HTTP service: routes, validation, auth, group commit, recovery, the alert loop, /metrics, the dashboard.
        .target(
            name: "VigilServer",
            dependencies: [
                "VigilCore", "VigilStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/dashboard")],
            swiftSettings: settings),
        // Command-line front end: serve, replay, slo, bench.
        .target(
            name: "VigilCLI",
            dependencies: [
                "VigilCore", "VigilStore", "VigilServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: settings),
        .executableTarget(name: "vigil", dependencies: ["VigilCLI"], swiftSettings: settings),
        .testTarget(name: "VigilCoreTests", dependencies: ["VigilCore"], swiftSettings: settings),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: [
                "VigilStore", "VigilCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "VigilServerTests",
            dependencies: [
                "VigilServer", "VigilStore", "VigilCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "VigilCLITests", dependencies: ["VigilCLI", "VigilCore"],
            swiftSettings: settings),
    ]
)
