import Foundation

/// Runs the built `spoor` executable, for end-to-end tests of the command line.
struct SpoorProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `spoor` built beside the test bundle (`swift build --build-tests` builds both).
    static var executable: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("spoor")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/spoor")
    }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

    /// Starts `spoor` with `arguments`; output goes to files so large outputs never block.
    static func start(_ arguments: [String], directory: URL) throws -> (Process, URL, URL) {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let out = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let err = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return (p, out, err)
    }

    /// Runs `spoor` to completion (bounded by `timeout` seconds).
    static func run(_ arguments: [String], directory: URL, timeout: TimeInterval = 300) throws -> Result {
        let (p, out, err) = try start(arguments, directory: directory)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); p.waitUntilExit() }
        return Result(status: p.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

/// A temporary folder removed at the end of a test.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
