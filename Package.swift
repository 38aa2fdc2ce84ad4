// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "carrier",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "carrier", targets: ["carrier"])
    ],
    dependencies: [
        // CLI
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Signature verification (HMAC, ed25519, SHA)
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // `carrier serve`: HTTP server and embedded database
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Several instances on one shared database
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `carrier serve` metrics: the swift-metrics API, exported in the Prometheus text format at GET /metrics
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from the system (apt: libyaml-dev, libcurl4-openssl-dev)
        .systemLibrary(
            name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .systemLibrary(
            name: "CLibCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        // glibc allocator tuning for the long-running commands (libc itself; nothing to install).
        .systemLibrary(name: "CMalloc"),

        // Process-wide SQLite settings for the service (sqlite3_config is variadic; apt: libsqlite3-dev).
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),

        // Compiler core: YAML -> diagnostics -> adapter table. No file I/O.
        .target(name: "CarrierCore", dependencies: ["CLibYAML"]),
        .testTarget(name: "CarrierCoreTests", dependencies: ["CarrierCore", "CarrierTestSupport"], exclude: ["Golden"]),

        // Runtime: render/send outbound, normalize inbound, segments, libcurl transport.
        .target(
            name: "CarrierRuntime",
            dependencies: [
                "CarrierCore", "CLibCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA signature checks (MessageMedia webhooks)
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(name: "CarrierRuntimeTests", dependencies: ["CarrierRuntime", "CarrierTestSupport"]),

        // Messaging service behind `carrier serve`.
        .target(
            name: "CarrierService",
            dependencies: [
                "CarrierRuntime", "CSQLiteTuning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .testTarget(
            name: "CarrierServiceTests",
            dependencies: [
                "CarrierService", "CarrierRuntime", "CarrierCore", "CarrierTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Test-only helpers: golden files, a mock carrier HTTP server.
        .target(name: "CarrierTestSupport", dependencies: ["CarrierCore"]),

        // The thin CLI.
        .executableTarget(
            name: "carrier",
            dependencies: [
                "CarrierCore", "CarrierRuntime", "CarrierService", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "CarrierCLITests", dependencies: ["CarrierCore", "CarrierTestSupport"]),
    ]
)

for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
