import Foundation
import SpoorCore

/// One MISP warninglist (`lists/<name>/list.json` in MISP/misp-warninglists): known-benign or
/// known-noisy values (top domains, cloud ranges, public resolvers, hashes of empty files, …).
///
/// The file's schema (`schema.json` there): `name`, `description`, `version`, `list`
/// (required), `type` (`string` by default) and `matching_attributes` (MISP attribute types
/// the list applies to; absent = all types).
public struct Warninglist: Sendable, Hashable {
    /// How a list's entries match a value (misp-warninglists README, "type of warning list").
    public enum ListType: String, Sendable, Hashable, CaseIterable {
        /// Perfect match of the value.
        case string
        /// An entry found anywhere inside the value.
        case substring
        /// Hostname matching: the value's host (a URL's host too) equals an entry or is a
        /// subdomain of it ("hostname matching (e.g. domain matching from URL)").
        case hostname
        /// An address inside an entry's CIDR block (an entry without `/` is one address).
        case cidr
        /// An entry, a PCRE in `/…/flags` form, matches the value.
        case regex
    }

    public var name: String
    public var description: String
    public var type: ListType
    public var version: Int64
    /// MISP attribute types (`ip-src`, `domain`, `md5`, …); empty = every type.
    public var matchingAttributes: [String]
    public var entries: [String]
    /// The folder name in `lists/` (`google-gcp`), the list's stable id.
    public var identifier: String

    public init(name: String, description: String = "", type: ListType, version: Int64 = 1,
                matchingAttributes: [String] = [], entries: [String], identifier: String? = nil) {
        self.name = name
        self.description = description
        self.type = type
        self.version = version
        self.matchingAttributes = matchingAttributes
        self.entries = entries
        self.identifier = identifier ?? name
    }

    /// Reads one `list.json`.
    public static func load(contentsOf url: URL, identifier: String? = nil) throws(IntelError) -> Warninglist {
        let bytes = try IntelFileReader.read(url, maximumSize: 256 << 20)
        return try parse(bytes, file: url.path, identifier: identifier ?? url.deletingLastPathComponent().lastPathComponent)
    }

    static func parse(_ bytes: [UInt8], file: String, identifier: String) throws(IntelError) -> Warninglist {
        let json: JSONValue
        do { json = try JSONParser(maximumDepth: 8).parse(bytes.span) } catch {
            throw IntelError(file: file, "not JSON: \(error.message) at byte \(error.byteOffset)")
        }
        guard case .object = json else { throw IntelError(file: file, "not a JSON object") }
        guard let name = json["name"]?.stringValue else { throw IntelError(file: file, "no `name` string") }
        guard case .array(let items)? = json["list"] else { throw IntelError(file: file, "no `list` array") }
        let typeText = json["type"]?.stringValue ?? "string"
        guard let type = ListType(rawValue: typeText) else {
            throw IntelError(file: file, "unknown list type (string, substring, hostname, cidr or regex expected)")
        }
        var entries: [String] = []
        entries.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue else { throw IntelError(file: file, "`list` item \(i) is not a string") }
            entries.append(s)
        }
        var attributes: [String] = []
        if case .array(let a)? = json["matching_attributes"] { attributes = a.compactMap(\.stringValue) }
        return Warninglist(name: name, description: json["description"]?.stringValue ?? "", type: type,
                           version: json["version"]?.intValue ?? 0, matchingAttributes: attributes,
                           entries: entries, identifier: identifier)
    }
}
