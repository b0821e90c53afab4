// swift-tools-version:6.1
// The libFuzzer targets, built and run by scripts/fuzz (not by `swift build` at the root: without
// `-sanitize=fuzzer` there is no main to link).
import PackageDescription

// A path dependency is known by its folder's name, which is whatever the clone was called.
let root = String(#filePath.split(separator: "/").dropLast(2).last!)

/// One fuzzer: `Sources/<name>/main.swift`, libFuzzer's entry point, which calls into the root package's modules.
func fuzzer(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzCheck", .product(name: "NurtureParsing", package: root)],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "NurtureFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzCheck"),
        fuzzer("FuzzCampaign"),
        fuzzer("FuzzRendering"),
        fuzzer("FuzzMessage"),
        fuzzer("FuzzCSV"),
        fuzzer("FuzzIMAP"),
        fuzzer("FuzzInbound"),
    ]
)
