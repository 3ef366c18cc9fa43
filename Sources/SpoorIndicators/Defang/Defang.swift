import Foundation

/// Defanging for output (so a report's indicators are not clickable) and refanging of input.
public enum Defang {
    /// The indicator written so that no mail client, chat or browser turns it into a link:
    /// `http`/`https`/`ftp` schemes become `hxxp`/`hxxps`/`fxp`, every dot of a host, domain
    /// or IP address becomes `[.]`, and the `@` of an e-mail address `[@]`. Other kinds
    /// (hashes, paths, CVE ids, …) are returned unchanged: they are not links.
    public static func defang(_ indicator: Indicator) -> String {
        let v = indicator.value
        switch indicator.kind {
        case .domain, .ipv4:
            return v.replacingDots()
        case .ipv6:
            return v.replacingOccurrences(of: ":", with: "[:]")
        case .email:
            guard let at = v.lastIndex(of: "@") else { return v }
            return String(v[..<at]) + "[@]" + String(v[v.index(after: at)...]).replacingDots()
        case .url:
            var rest = Substring(v)
            var scheme = ""
            if let r = v.range(of: "://") {
                scheme = String(v[..<r.lowerBound])
                rest = v[r.upperBound...]
                switch scheme.lowercased() {
                case "http": scheme = "hxxp"
                case "https": scheme = "hxxps"
                case "ftp": scheme = "fxp"
                default: break
                }
                scheme += "://"
            }
            let hostEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            return scheme + String(rest[..<hostEnd]).replacingDots() + String(rest[hostEnd...])
        default:
            return v
        }
    }

    /// `text` with the usual obfuscations undone (see ``IndicatorExtractor`` and
    /// `Docs/Indicators.md` for the list), read as one value: ` dot ` and ` at ` between words
    /// count too. Text without any obfuscation is returned unchanged.
    public static func refang(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { buf in
            guard let r = Refanger.refang(Span(_unsafeElements: buf), lone: true) else { return text }
            return String(decoding: r.bytes, as: UTF8.self)
        }
    }
}

extension String {
    fileprivate func replacingDots() -> String { replacingOccurrences(of: ".", with: "[.]") }
}
