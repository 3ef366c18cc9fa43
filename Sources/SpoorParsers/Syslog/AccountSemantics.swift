import SpoorCore

/// The shadow tools: `useradd`, `userdel`, `usermod`, `groupadd`, `groupdel`, `groupmod`,
/// `passwd`, `chpasswd`, `chage`, `gpasswd`, `newusers` (their own messages; PAM lines from
/// them are read by ``SessionSemantics``).
///
/// | action | message | category / type |
/// |---|---|---|
/// | `user-created` | `new user: name=U, UID=N, GID=G, home=…, shell=…` | iam / user, creation |
/// | `group-created` | `new group: name=G, GID=N`, `group added to /etc/group: name=G, GID=N` | iam / group, creation |
/// | `user-deleted` | `delete user 'U'` | iam / user, deletion |
/// | `group-deleted` | `removed group 'G' owned by 'U'`, `group 'G' removed` | iam / group, deletion |
/// | `user-added-to-group` | `add 'U' to [shadow ]group 'G'` | iam / group, change |
/// | `user-removed-from-group` | `delete 'U' from [shadow ]group 'G'` | iam / group, change |
/// | `password-changed` | `password for 'U' changed by 'V'`, `change user 'U' password` | iam / user, change |
/// | `user-changed` | `change user 'U' …`, `lock user 'U' password`, `unlock user 'U' password` | iam / user, change |
///
/// The account acted on is `user.target.name` (`user.target.id` its UID), a group
/// `group.name`/`group.id`; `user.name` is set where the message names who acted.
/// All have `event.outcome = success` (the tools log only what they did), except
/// `failed adding user 'U'` (`user-created`, failure).
enum AccountSemantics {
    static func analyse(_ b: Span<UInt8>, _ m: Range<Int>, into f: inout MessageFacts) {
        let lo = m.lowerBound, hi = m.upperBound
        f.isPeerless = true
        if MessageText.hasPrefix(b, "new user: ", at: lo, to: hi) {
            f.classify("user-created", .iam, [.user, .creation], .success)
            f.userTarget = value(b, "name=", lo, hi)
            f.userTargetID = value(b, "UID=", lo, hi)
            f.groupID = value(b, "GID=", lo, hi)
        } else if MessageText.hasPrefix(b, "new group: ", at: lo, to: hi) || MessageText.hasPrefix(b, "group added to ", at: lo, to: hi) {
            f.classify("group-created", .iam, [.group, .creation], .success)
            f.groupName = value(b, "name=", lo, hi)
            f.groupID = value(b, "GID=", lo, hi)
        } else if MessageText.hasPrefix(b, "delete user ", at: lo, to: hi) {
            f.classify("user-deleted", .iam, [.user, .deletion], .success)
            f.userTarget = quoted(b, lo + 12, hi)
        } else if MessageText.hasPrefix(b, "removed group ", at: lo, to: hi) || MessageText.hasPrefix(b, "removed shadow group ", at: lo, to: hi) {
            f.classify("group-deleted", .iam, [.group, .deletion], .success)
            f.groupName = quoted(b, lo, hi)
        } else if MessageText.hasPrefix(b, "group '", at: lo, to: hi), MessageText.find("' removed", in: b, from: lo, to: hi) != nil {
            f.classify("group-deleted", .iam, [.group, .deletion], .success)
            f.groupName = quoted(b, lo, hi)
        } else if MessageText.hasPrefix(b, "add '", at: lo, to: hi) || MessageText.hasPrefix(b, "delete '", at: lo, to: hi) {
            let adding = b[lo] == UInt8(ascii: "a")
            f.classify(adding ? "user-added-to-group" : "user-removed-from-group", .iam, [.group, .change], .success)
            guard let u = quoted(b, lo, hi) else { return }
            f.userTarget = u
            f.groupName = quoted(b, u.upperBound + 1, hi)
        } else if MessageText.hasPrefix(b, "password for ", at: lo, to: hi) {
            f.classify("password-changed", .iam, [.user, .change], .success)
            guard let u = quoted(b, lo, hi) else { return }
            f.userTarget = u
            if let by = MessageText.find(" by ", in: b, from: u.upperBound, to: hi) { f.user = quoted(b, by, hi) }
        } else if MessageText.hasPrefix(b, "change user ", at: lo, to: hi) || MessageText.hasPrefix(b, "lock user ", at: lo, to: hi)
                    || MessageText.hasPrefix(b, "unlock user ", at: lo, to: hi) {
            let password = MessageText.hasPrefix(b, "change user ", at: lo, to: hi) && MessageText.find("' password", in: b, from: lo, to: hi) != nil
            f.classify(password ? "password-changed" : "user-changed", .iam, [.user, .change], .success)
            f.userTarget = quoted(b, lo, hi)
        } else if MessageText.hasPrefix(b, "failed adding user ", at: lo, to: hi) {
            f.classify("user-created", .iam, [.user, .creation], .failure)
            f.userTarget = quoted(b, lo, hi)
        } else {
            f.isPeerless = false
        }
    }

    /// The value of `key` in a `key=value, key=value` list.
    static func value(_ b: Span<UInt8>, _ key: StaticString, _ lo: Int, _ hi: Int) -> Range<Int>? {
        guard let k = MessageText.find(key, in: b, from: lo, to: hi) else { return nil }
        let s = k + key.utf8CodeUnitCount
        var e = s
        while e < hi, b[e] != UInt8(ascii: ","), b[e] != MessageText.space { e += 1 }
        return s..<e
    }

    /// The first `'…'` at or after `from`.
    static func quoted(_ b: Span<UInt8>, _ from: Int, _ hi: Int) -> Range<Int>? {
        guard let q = MessageText.find(UInt8(ascii: "'"), in: b, from: from, to: hi),
              let e = MessageText.find(UInt8(ascii: "'"), in: b, from: q + 1, to: hi) else { return nil }
        return (q + 1)..<e
    }
}
