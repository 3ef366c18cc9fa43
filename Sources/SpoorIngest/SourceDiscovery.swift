import Foundation

/// Expands the paths a user gave into the files to read, in a stable order.
///
/// Directories are walked recursively; hidden files and folders (`.name`) inside them are
/// skipped, but a hidden file named explicitly is read. Symbolic links to files are followed
/// and directory links are not (no cycles). Paths that do not exist are reported.
public enum SourceDiscovery {
    public struct Result: Sendable {
        public var files: [String]
        public var missing: [String]
    }

    public static func expand(_ paths: [String]) -> Result {
        var files: [String] = []
        var missing: [String] = []
        var seen = Set<String>()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { missing.append(path); continue }
            if !isDirectory.boolValue {
                if seen.insert(path).inserted { files.append(path) }
                continue
            }
            var found: [String] = []
            walk(URL(fileURLWithPath: path), relativeTo: path, into: &found)
            for f in found.sorted() where seen.insert(f).inserted { files.append(f) }
        }
        return Result(files: files, missing: missing)
    }

    private static func walk(_ dir: URL, relativeTo root: String, into out: inout [String]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return }
        for name in names where !name.hasPrefix(".") {
            let url = dir.appendingPathComponent(name)
            guard let attrs = try? fm.attributesOfItem(atPath: url.path), let type = attrs[.type] as? FileAttributeType else { continue }
            switch type {
            case .typeDirectory:
                walk(url, relativeTo: root, into: &out)
            case .typeRegular:
                out.append(url.path)
            case .typeSymbolicLink:
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { out.append(url.path) }
            default:
                continue
            }
        }
    }
}
