import CPsl

/// The public suffix list (publicsuffix.org), read through Debian's libpsl.
///
/// Domains found in logs are checked against it: a name is a domain only when its last label
/// is a suffix the list names explicitly (so `invoice.pdf`, `config.json` and `a.b.c` are not
/// domains: `pdf`, `json` and `c` are no TLD) and the name is not itself a public suffix
/// (`co.uk` is no indicator). libpsl's implicit `*` rule (every unknown TLD is a suffix) is
/// turned off for the first check with `PSL_TYPE_NO_STAR_RULE`.
///
/// The data is the newest of libpsl's built-in copy and the distribution's
/// `/usr/share/publicsuffix/public_suffix_list.dafsa` (`psl_latest`); when neither loads, the
/// built-in copy (`psl_builtin`). The context is read-only after loading, and libpsl's lookups
/// keep no state, so one context serves every thread.
public struct PublicSuffixList: Sendable {
    /// The list shared by the whole process (loaded on first use, never freed).
    public static let shared = PublicSuffixList()

    private let context: Context

    private final class Context: @unchecked Sendable {
        // Safe to share: libpsl does not mutate a context after loading; every query only reads it.
        let pointer: OpaquePointer?
        let owned: Bool
        init() {
            if let p = psl_latest(nil) {
                pointer = p; owned = true
            } else {
                pointer = psl_builtin(); owned = false
            }
        }
        deinit { if owned, let p = pointer { psl_free(p) } }
    }

    /// Loads the newest list libpsl can find (see the type's summary).
    public init() { context = Context() }

    /// Whether the list has any data (false only if libpsl could load neither copy).
    public var isLoaded: Bool { context.pointer != nil }

    /// Whether `name` (lower-case ASCII or punycode, no trailing dot) is a public suffix the
    /// list names, ICANN or private section (`com`, `co.uk`, `github.io`). Unknown TLDs are not.
    public func isPublicSuffix(_ name: String) -> Bool {
        guard let p = context.pointer else { return false }
        return name.withCString { psl_is_public_suffix2(p, $0, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0 }
    }

    /// The registrable domain of `name` (`www.example.co.uk` → `example.co.uk`), or nil when
    /// `name` is itself a suffix or its TLD is not on the list.
    public func registrableDomain(_ name: String) -> String? {
        guard let p = context.pointer else { return nil }
        let lower = name.lowercased()
        guard let dot = lower.lastIndex(of: "."), isPublicSuffix(String(lower[lower.index(after: dot)...])) else { return nil }
        return lower.withCString { c -> String? in
            guard let r = psl_registrable_domain(p, c) else { return nil }
            return String(cString: r)
        }
    }

    /// Whether the name in `bytes[range]` (ASCII, any case) is a suffix the list names
    /// (`com`, `co.uk`). No allocation: names over 253 bytes (RFC 1035 §2.3.4) are none.
    func isListed(_ bytes: Span<UInt8>, _ range: Range<Int>) -> Bool {
        guard let p = context.pointer, !range.isEmpty, range.count <= 253 else { return false }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buf in
            var k = 0
            for i in range {
                let c = bytes[i]
                buf[k] = CChar(bitPattern: c &- 65 < 26 ? c | 0x20 : c)
                k += 1
            }
            buf[k] = 0
            return psl_is_public_suffix2(p, buf.baseAddress, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0
        }
    }
}
