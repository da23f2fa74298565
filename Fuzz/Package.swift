// swift-tools-version: 6.1
// libFuzzer targets for Colony's decoders: `ETFFuzz` (the External Term Format) and
// `DistributionFuzz` (the handshake, distribution frames and EPMD). They only link with the fuzzer
// runtime (which supplies `main`), so build them through `scripts/fuzz`, or by hand with
//   swift build -c release --package-path Fuzz --scratch-path Fuzz/.build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "ColonyFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Colony", path: ".."),
        // The version the root package asks for; `DistributionFuzz` uses `ByteBuffer` directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "ETFFuzz",
            dependencies: [.product(name: "ErlangTerm", package: "Colony")],
            // `@_extern(c)` declares libFuzzer's `LLVMFuzzerRunDriver` without a C module.
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .executableTarget(
            name: "DistributionFuzz",
            dependencies: [
                .product(name: "ErlangDistribution", package: "Colony"),
                .product(name: "ErlangTerm", package: "Colony"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
