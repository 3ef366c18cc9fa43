import Foundation

/// CPU time and peak memory of this process, for the gated measurement tests.
public enum ProcessUsage {
    /// User + system CPU seconds so far.
    public static func cpuSeconds() -> Double {
        var r = rusage()
        getrusage(RUSAGE_SELF.rawValue, &r)
        return Double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + Double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident memory so far, in MiB.
    public static func peakMiB() -> Double {
        var r = rusage()
        getrusage(RUSAGE_SELF.rawValue, &r)
        return Double(r.ru_maxrss) / 1024
    }
}

/// A command's standard output, for tests that read data through a system tool.
public enum Subprocess {
    /// What `executable` with `arguments` writes to standard output; throws when it cannot be
    /// started or exits with a status other than 0.
    public static func output(_ executable: String, _ arguments: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return data
    }
}

extension SharedData {
    /// The concatenated contents of an archive's files (`unzip -p`): for archives holding one
    /// file of records, read without a temporary folder.
    public static func unzippedContents(_ archive: URL) throws -> Data {
        try Subprocess.output("/usr/bin/unzip", ["-p", archive.path])
    }

    /// Unzips an archive of the shared data into a fresh temporary folder and returns its JSON
    /// files; nil when the archive or `unzip` is missing.
    public static func unzipJSON(_ relative: String) throws -> [URL]? {
        guard let zip = url(relative), FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-unzip-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        p.arguments = ["-q", "-o", zip.path, "-d", dir.path]
        try p.run()
        p.waitUntilExit()
        return (FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "json" }
    }
}
