/// A Windows logon id (`TargetLogonId`, `SubjectLogonId`, `LogonID`) as one number: Windows
/// writes it in hex (`0x3e7`), exports and some forwarders in decimal (`999`); both name the
/// same logon session.
public enum LogonID {
    /// The id's value, or nil when the text is neither form.
    public static func number(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16) }
        return UInt64(lower)
    }
}
