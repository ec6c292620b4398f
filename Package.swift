// swift-tools-version: 6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser = Package.Dependency.package(
    url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2")

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
    ],
    dependencies: [argumentParser],
    targets: [
        // Pure engine: events → join → buckets → aggregates → metrics → windows. No I/O, no clocks.
        .target(name: "VigilCore", swiftSettings: settings),
        // Command-line front end: file readers, replay reports, benchmarks.
        .target(
            name: "VigilCLI",
            dependencies: ["VigilCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: settings),
        .executableTarget(name: "vigil", dependencies: ["VigilCLI"], swiftSettings: settings),
        .testTarget(name: "VigilCoreTests", dependencies: ["VigilCore"], swiftSettings: settings),
        .testTarget(
            name: "VigilCLITests", dependencies: ["VigilCLI", "VigilCore"],
            swiftSettings: settings),
    ]
)
