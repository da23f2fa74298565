// swift-tools-version: 6.1
// A libFuzzer target for Colony's External Term Format decoder. It only links with the fuzzer
// runtime (which supplies `main`), so build it through `scripts/fuzz`, or by hand with
//   swift build -c release --package-path Fuzz --scratch-path Fuzz/.build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "ColonyFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Colony", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "ETFFuzz",
            dependencies: [.product(name: "ErlangTerm", package: "Colony")],
            // `@_extern(c)` declares libFuzzer's `LLVMFuzzerRunDriver` without a C module.
            swiftSettings: [.enableExperimentalFeature("Extern")]
        )
    ],
    swiftLanguageModes: [.v6]
)
