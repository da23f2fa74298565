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
        .executable(name: "colony", targets: ["colony"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "ErlangTerm",
            dependencies: [
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "colony",
            dependencies: ["ErlangTerm"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "colony-bench",
            dependencies: ["ErlangTerm", .product(name: "NIOCore", package: "swift-nio")],
            path: "Benchmarks/colony-bench",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ErlangTermTests",
            dependencies: [
                "ErlangTerm",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Conformance/etf_corpus.erl"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
