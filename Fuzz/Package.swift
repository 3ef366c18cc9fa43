// swift-tools-version:6.2
// libFuzzer targets for spoor's parsers. Kept out of the main package so that `swift build`
// of spoor never compiles them; scripts/fuzz.sh builds and runs them with
// `-sanitize=fuzzer,address`.
import PackageDescription

let package = Package(
    name: "spoor-fuzz",
    dependencies: [.package(name: "spoor", path: "..")],
    targets: [
        .executableTarget(name: "FuzzParsers", dependencies: [.product(name: "SpoorParsers", package: "spoor")]),
        .executableTarget(name: "FuzzEVTX", dependencies: [.product(name: "SpoorEVTX", package: "spoor"),
                                                           .product(name: "SpoorParsers", package: "spoor")]),
        // SpoorCore (ByteRegex) comes with the SpoorParsers product.
        .executableTarget(name: "FuzzRegex", dependencies: [.product(name: "SpoorParsers", package: "spoor")]),
        .executableTarget(name: "FuzzSigma", dependencies: [.product(name: "SpoorRules", package: "spoor")]),
        .executableTarget(name: "FuzzIndicators", dependencies: [.product(name: "SpoorIndicators", package: "spoor")]),
    ]
)
