import Foundation
import SpoorCore
import SpoorEvents
import SpoorParsers

/// The project's own small fixtures, committed under `Sources/SpoorTesting/Fixtures/`.
public enum Fixtures {
    /// The URL of a fixture, e.g. `Fixtures.url("syslog/relay.log")`.
    public static func url(_ relativePath: String) -> URL {
        // safe: `Fixtures` is copied into the bundle by the manifest; a missing bundle is a build error.
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relativePath)))
    }

    /// Parses every line of `bytes` with `parser`, the way ingest does (blank lines skipped,
    /// rejects collected), for parser-level tests.
    public static func parseLines(_ bytes: [UInt8], with parser: some LogParser) -> (batch: EventBatch, rejects: [(line: Int, error: ParseError)]) {
        var p = parser
        var builder = EventBatchBuilder()
        var rejects: [(Int, ParseError)] = []
        var lineNo = 0
        var start = 0
        let n = bytes.count
        var i = 0
        while i <= n {
            if i == n || bytes[i] == Bytes.lf {
                lineNo += 1
                var end = i
                if end > start, bytes[end - 1] == Bytes.cr { end -= 1 }
                if end > start, bytes[start..<end].contains(where: { !Bytes.isSpace($0) }) {
                    builder.beginRow()
                    do {
                        let outcome = try p.parse(bytes.span.extracting(start..<end), into: &builder)
                        if outcome == .event { builder.endRow() } else { builder.cancelRow() }
                    } catch {
                        builder.cancelRow()
                        rejects.append((lineNo, error))
                    }
                }
                start = i + 1
            }
            i += 1
        }
        return (builder.finish(), rejects)
    }
}

/// Real public data in `../shared/data` (never copied into the repository).
public enum SharedData {
    /// `../shared/data` relative to the package root, or `SPOOR_SHARED_DATA` when set.
    public static var root: URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["SPOOR_SHARED_DATA"], fm.fileExists(atPath: env) {
            return URL(fileURLWithPath: env)
        }
        // This file is Sources/SpoorTesting/Fixtures.swift: the package root is two levels up.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        return fm.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// Whether the shared data folder exists (tests use `.enabled(if: SharedData.isAvailable)`).
    public static var isAvailable: Bool { root != nil }

    /// The message a skipped conformance test shows.
    public static let skipMessage = "../shared/data is absent: conformance tests against real public data are skipped"

    /// A path under `../shared/data`.
    public static func url(_ relativePath: String) -> URL? {
        root?.appendingPathComponent(relativePath)
    }
}
