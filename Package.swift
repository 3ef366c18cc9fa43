// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "spoor",
    products: [
        .library(name: "Spoor", targets: ["Spoor"]),
        // Capability modules on their own, for users (and the fuzz harness) that need only one.
        .library(name: "SpoorParsers", targets: ["SpoorParsers"]),
        .library(name: "SpoorEVTX", targets: ["SpoorEVTX"]),
        .library(name: "SpoorRules", targets: ["SpoorRules"]),
        .library(name: "SpoorIndicators", targets: ["SpoorIndicators"]),
        .library(name: "SpoorIntel", targets: ["SpoorIntel"]),
        .library(name: "SpoorLearn", targets: ["SpoorLearn"]),
        .library(name: "SpoorDetectors", targets: ["SpoorDetectors"]),
        .library(name: "SpoorLabels", targets: ["SpoorLabels"]),
        .executable(name: "spoor", targets: ["SpoorCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
    ],
    targets: [
        // 1–2: values every stage shares.
        .target(name: "SpoorCore"),
        .target(name: "SpoorEvents", dependencies: ["SpoorCore"]),
        // 4: the Windows EVTX binary reader.
        .target(name: "SpoorEVTX", dependencies: ["SpoorCore", "CDeflate"]),
        // Its CRC32 checks: libdeflate's (carry-less multiply where the CPU has it, about 4× zlib's).
        .systemLibrary(name: "CDeflate", path: "Sources/CDeflate", providers: [.apt(["libdeflate-dev"])]),
        // 5: numeric algorithms on feature matrices (classifiers, metrics); knows nothing of logs.
        .target(name: "SpoorLearn", dependencies: ["SpoorCore"]),
        // 6: pure parsers, bytes → events.
        .target(name: "SpoorParsers", dependencies: ["SpoorCore", "SpoorEvents", "SpoorEVTX"]),
        // 7: I/O on the way in. Compression comes from Debian's C libraries.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBzip2", path: "Sources/CBzip2", providers: [.apt(["libbz2-dev"])]),
        .systemLibrary(name: "CLzma", path: "Sources/CLzma", providers: [.apt(["liblzma-dev"])]),
        .target(name: "SpoorIngest", dependencies: [
            "SpoorCore", "SpoorEvents", "SpoorEVTX", "SpoorParsers", "CZlib", "CBzip2", "CLzma",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // 8: indicators of compromise: kinds, extraction, refang/defang, sightings. The public
        // suffix list comes from Debian's libpsl.
        .systemLibrary(name: "CPsl", path: "Sources/CPsl", providers: [.apt(["libpsl-dev"])]),
        .target(name: "SpoorIndicators", dependencies: ["SpoorCore", "SpoorEvents", "CPsl", "CZlib"]),
        // 9: enrichment data with dates: IP→ASN tables (MMDB through Debian's libmaxminddb),
        // intel feeds (lists, STIX 2.1, MISP), warninglists, ATT&CK.
        .systemLibrary(name: "CMaxMindDB", path: "Sources/CMaxMindDB", providers: [.apt(["libmaxminddb-dev"])]),
        .target(name: "SpoorIntel", dependencies: ["SpoorCore", "SpoorEvents", "SpoorIngest", "SpoorIndicators", "CMaxMindDB"]),
        // 11: Sigma rules (parse, bind to event fields, compile, match, correlate).
        .target(name: "SpoorRules", dependencies: [
            "SpoorCore", "SpoorEvents",
            .product(name: "Yams", package: "Yams"),
        ]),
        // 12: features and detectors over events (sessions: who is logged on where; the public
        // suffix list of SpoorIndicators for registered domains).
        .target(name: "SpoorDetectors", dependencies: ["SpoorCore", "SpoorEvents", "SpoorLearn", "SpoorIndicators", "CZlib"]),
        // 13: a simulated organisation under attack, written as raw logs with ground truth.
        .target(name: "SpoorSimulation", dependencies: ["SpoorCore", "SpoorEvents"]),
        // 14: labelling functions, the label model, labels with provenance.
        .target(name: "SpoorLabels", dependencies: ["SpoorCore", "SpoorEvents", "SpoorLearn", "SpoorDetectors"]),
        // 15: the one place that scores anything against ground truth.
        .target(name: "SpoorEvaluation", dependencies: ["SpoorCore", "SpoorEvents", "SpoorSimulation"]),
        // 16: persistence of every capability's values.
        .target(name: "SpoorStore", dependencies: [
            "SpoorCore", "SpoorEvents", "SpoorIngest", "SpoorIndicators", "SpoorIntel", "SpoorDetectors", "SpoorLabels", "CZlib",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // 19: the facade that wires the stages.
        .target(name: "Spoor", dependencies: [
            "SpoorCore", "SpoorEvents", "SpoorParsers", "SpoorIngest", "SpoorIndicators", "SpoorIntel", "SpoorRules", "SpoorDetectors", "SpoorSimulation", "SpoorLearn", "SpoorLabels", "SpoorEvaluation", "SpoorStore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // 21: the executable.
        .executableTarget(name: "SpoorCLI", dependencies: [
            "Spoor", "SpoorCore", "SpoorEvents", "SpoorParsers", "SpoorIngest", "SpoorIndicators", "SpoorIntel", "SpoorRules", "SpoorDetectors", "SpoorSimulation", "SpoorLearn", "SpoorLabels", "SpoorEvaluation", "SpoorStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SpoorTesting", dependencies: ["SpoorCore", "SpoorEvents", "SpoorParsers", "SpoorIngest"],
                resources: [.copy("Fixtures")]),

        .testTarget(name: "SpoorCoreTests", dependencies: ["SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorEventsTests", dependencies: ["SpoorEvents", "SpoorTesting"]),
        .testTarget(name: "SpoorLearnTests", dependencies: ["SpoorLearn", "SpoorCore", "SpoorTesting"], exclude: ["Oracle"]),
        .testTarget(name: "SpoorEVTXTests", dependencies: ["SpoorEVTX", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorParsersTests", dependencies: ["SpoorParsers", "SpoorEvents", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorIngestTests", dependencies: ["SpoorIngest", "SpoorParsers", "SpoorEvents", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorIndicatorsTests", dependencies: ["SpoorIndicators", "SpoorEvents", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorIntelTests", dependencies: ["SpoorIntel", "SpoorIndicators", "SpoorCore", "SpoorTesting"],
                    exclude: ["Oracle"]),
        .testTarget(name: "SpoorSimulationTests", dependencies: ["SpoorSimulation", "SpoorParsers", "SpoorIngest", "SpoorEvents", "SpoorCore", "SpoorTesting"],
                    exclude: ["Oracle"]),
        .testTarget(name: "SpoorEvaluationTests", dependencies: ["SpoorEvaluation", "SpoorSimulation", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorRulesTests", dependencies: ["SpoorRules", "SpoorParsers", "SpoorIngest", "SpoorEvents", "SpoorCore", "SpoorTesting"],
                    exclude: ["Oracle"]),
        .testTarget(name: "SpoorDetectorsTests", dependencies: ["SpoorDetectors", "SpoorLearn", "SpoorSimulation", "SpoorIngest", "SpoorEvents", "SpoorCore", "SpoorParsers", "SpoorTesting"]),
        .testTarget(name: "SpoorLabelsTests", dependencies: ["SpoorLabels", "SpoorLearn", "SpoorSimulation", "SpoorEvents", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorStoreTests", dependencies: ["SpoorStore", "SpoorIngest", "SpoorEvents", "SpoorCore", "SpoorTesting"]),
        .testTarget(name: "SpoorTests", dependencies: ["Spoor", "SpoorStore", "SpoorIngest", "SpoorIndicators", "SpoorIntel", "SpoorRules", "SpoorEvents", "SpoorCore", "SpoorTesting"]),
    ]
)

// Settings for every target (as swift-nio, hummingbird and swift-log do).
for target in package.targets where target.type != .plugin && target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
