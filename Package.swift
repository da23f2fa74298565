// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Colony",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ErlangTerm", targets: ["ErlangTerm"]),
        .library(name: "ErlangDistribution", targets: ["ErlangDistribution"]),
        .library(name: "Colony", targets: ["Colony"]),
        .executable(name: "colony", targets: ["colony"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "CSpawn"),
        .target(name: "ColonyOSProcess", dependencies: ["CSpawn"], swiftSettings: strictSettings),
        .target(
            name: "ErlangTerm",
            dependencies: [
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ErlangDistribution",
            dependencies: [
                "ErlangTerm",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Colony",
            dependencies: [
                "ErlangTerm",
                "ErlangDistribution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyTLS",
            dependencies: [
                "Colony",
                "ErlangDistribution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyConfiguration",
            dependencies: [
                "Colony",
                "ColonyTLS",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyLogging",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyMetrics",
            dependencies: [
                "Colony",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyDashboard",
            dependencies: [
                "Colony",
                "ColonyCluster",
                "ErlangTerm",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyData",
            dependencies: [
                "Colony",
                "ErlangTerm",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "ColonyRaft", swiftSettings: strictSettings),
        .target(
            name: "ColonyStore",
            dependencies: [
                "ColonyRaft",
                "Colony",
                "ErlangTerm",
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyGroups",
            dependencies: ["Colony", "ErlangTerm"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyCluster",
            dependencies: [
                "Colony",
                "ErlangTerm",
                "ErlangDistribution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyTelemetry",
            dependencies: [
                "Colony",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyDemo",
            dependencies: [
                "ColonyTLS",
                "ErlangTerm", "ErlangDistribution", "Colony", "ColonyCluster", "ColonyDashboard", "ColonyGroups",
                "ColonyData", "ColonyOSProcess", "ColonyStore", "ColonyRaft",
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "colony",
            dependencies: [
                "ErlangTerm",
                "Colony",
                "ColonyCluster",
                "ColonyConfiguration",
                "ColonyDashboard",
                "ColonyData",
                "ColonyDemo",
                "ColonyGroups",
                "ColonyLogging",
                "ColonyMetrics",
                "ColonyStore",
                "ColonyTelemetry",
                "ColonyTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "colony-bench",
            dependencies: [
                "ErlangTerm", "Colony", "ErlangDistribution", "ColonyMetrics", "ColonyGroups", "ColonyData",
                "ColonyStore", "ColonyTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/colony-bench",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ClusterExampleKit",
            dependencies: ["Colony", "ErlangTerm"],
            path: "Examples/ClusterKit",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cluster-example",
            dependencies: ["ClusterExampleKit", "Colony", "ErlangTerm", "ErlangDistribution"],
            path: "Examples/ClusterApp",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "groups-example",
            dependencies: ["Colony", "ColonyGroups", "ErlangTerm"],
            path: "Examples/GroupsApp",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "counter-example",
            dependencies: ["Colony", "ColonyData", "ErlangTerm"],
            path: "Examples/CounterApp",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cache-example",
            dependencies: ["Colony", "ColonyStore", "ErlangTerm"],
            path: "Examples/CacheApp",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ColonyTestSupport",
            dependencies: ["ColonyOSProcess"],
            path: "Tests/ColonyTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ErlangTermTests",
            dependencies: [
                "ErlangTerm",
                "ColonyTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Conformance/etf_corpus.erl"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ErlangDistributionTests",
            dependencies: [
                "ErlangTerm",
                "ErlangDistribution",
                "ColonyTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ColonyRaftTests",
            dependencies: ["ColonyRaft", "ColonyStore", "ColonyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ColonyStoreTests",
            dependencies: ["ColonyStore", "ColonyRaft", "Colony", "ErlangTerm", "ColonyTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ColonyDataTests",
            dependencies: [
                "ColonyData",
                .product(name: "GRDB", package: "GRDB.swift"),
                "Colony",
                "ErlangTerm",
                "ColonyTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ColonyTests",
            dependencies: [
                "ClusterExampleKit",
                "ColonyCluster",
                "ColonyGroups",
                "ColonyConfiguration",
                "ColonyDashboard",
                "ColonyLogging",
                "ColonyMetrics",
                "ColonyTLS",
                .product(name: "Yams", package: "Yams"),
                "ErlangTerm",
                "ErlangDistribution",
                "Colony",
                "ColonyTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "ColonyTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
