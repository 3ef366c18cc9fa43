// Conformance cases: value modifiers (Sigma spec v2.1.0, appendix "Modifiers"; rules spec
// §"Value Modifiers", §"Placeholders").

extension ConformanceCase {
    static let modifiers: [ConformanceCase] = generic + encodings + regex + numbersTimesAndAddresses + specific

    // MARK: generic modifiers

    static let generic: [ConformanceCase] = [
        det("contains puts * around the value", Sec.m("contains"), #"""
        selection:
            CommandLine|contains: 'whoami'
        condition: selection
        """#, [["CommandLine": "cmd /c whoami /all"], ["CommandLine": "WHOAMI"], ["CommandLine": "who ami"], ["Image": "whoami"]],
            .rows([0, 1])),
        det("contains with a list is OR", Sec.m("contains"), #"""
        selection:
            CommandLine|contains:
                - 'whoami'
                - 'net user'
        condition: selection
        """#, [["CommandLine": "net user bob /add"], ["CommandLine": "x whoami"], ["CommandLine": "net group"]],
            .rows([0, 1])),
        det("contains keeps a wildcard inside the value", Sec.m("contains"), #"""
        selection:
            CommandLine|contains: 'copy*sam'
        condition: selection
        """#, [["CommandLine": "reg copy HKLM\\sam x"], ["CommandLine": "sam copy"], ["CommandLine": "copysam"]],
            .rows([0, 2])),
        det("startswith anchors at the start", Sec.m("startswith"), #"""
        selection:
            Image|startswith: 'C:\Windows\'
        condition: selection
        """#, [["Image": #"C:\Windows\System32\cmd.exe"#], ["Image": #"D:\C:\Windows\x.exe"#], ["Image": #"c:\windows\notepad.exe"#]],
            .rows([0, 2])),
        det("endswith anchors at the end", Sec.m("endswith"), #"""
        selection:
            Image|endswith: '\cmd.exe'
        condition: selection
        """#, [["Image": #"C:\Windows\System32\cmd.exe"#], ["Image": #"C:\x\cmd.exe.bak"#], ["Image": #"C:\X\CMD.EXE"#], ["Image": "cmd.exe"]],
            .rows([0, 2])),
        det("contains|all needs every value", Sec.m("all"), #"""
        selection:
            CommandLine|contains|all:
                - ' -enc '
                - 'hidden'
        condition: selection
        """#, [["CommandLine": "powershell -w hidden -enc AAAA"], ["CommandLine": "powershell -enc AAAA"], ["CommandLine": "hidden"]],
            .rows([0])),
        det("all without contains: every value equals some element of a list field", Sec.m("all"), #"""
        selection:
            Tags|all:
                - 'a'
                - 'b'
        condition: selection
        """#, [["Tags": ["a", "b", "c"]], ["Tags": ["a"]], ["Tags": ["B", "A"]]],
            .rows([0, 2]),
            note: "The spec does not define list-valued fields; spoor tests each value against every element (any element)."),
        det("exists: true is presence, empty counts", Sec.m("exists"), #"""
        selection:
            EventID: 4738
            PasswordLastSet|exists: true
        condition: selection
        """#, [["EventID": 4738, "PasswordLastSet": "2024-01-01"], ["EventID": 4738, "PasswordLastSet": ""], ["EventID": 4738], ["EventID": 4624, "PasswordLastSet": "x"]],
            .rows([0, 1])),
        det("exists: true holds for a null value", Sec.m("exists"), #"""
        selection:
            PasswordLastSet|exists: true
        condition: selection
        """#, [["PasswordLastSet": .null, "EventID": 1], ["EventID": 1]],
            .rows([0]),
            note: "Spec: 'only verifies the presence of a field, not its value, be it empty or null'.",
            knownIssue: "a field present with a null value counts as absent for `exists` (spec: presence, 'be it empty or null')"),
        det("exists: false is absence", Sec.m("exists"), #"""
        selection:
            PasswordLastSet|exists: false
        condition: selection
        """#, [["PasswordLastSet": "x"], ["EventID": 1], ["PasswordLastSet": ""]],
            .rows([1])),
        det("cased compares case-sensitively", Sec.m("cased"), #"""
        selection:
            CommandLine|cased: 'Whoami'
        condition: selection
        """#, [["CommandLine": "Whoami"], ["CommandLine": "whoami"], ["CommandLine": "WHOAMI"]],
            .rows([0])),
        det("cased|contains", Sec.m("cased"), #"""
        selection:
            CommandLine|cased|contains: 'Mimikatz'
        condition: selection
        """#, [["CommandLine": "run Mimikatz now"], ["CommandLine": "run mimikatz now"]],
            .rows([0])),
        det("neq on a string: different from the value", Sec.m("neq"), #"""
        selection:
            EventID: 1
            User|neq: 'admin'
        condition: selection
        """#, [["EventID": 1, "User": "bob"], ["EventID": 1, "User": "ADMIN"], ["EventID": 1, "User": "admin"]],
            .rows([0])),
        det("neq on a number", Sec.m("neq"), #"""
        selection:
            Channel: 'Security'
            EventID|neq: 4624
        condition: selection
        """#, [["Channel": "Security", "EventID": 4625], ["Channel": "Security", "EventID": 4624], ["Channel": "Security", "EventID": "4624"]],
            .rows([0])),
        det("neq with a list: different from all the values", Sec.m("neq"), #"""
        selection:
            EventID: 1
            User|neq:
                - 'a'
                - 'b'
        condition: selection
        """#, [["EventID": 1, "User": "c"], ["EventID": 1, "User": "a"], ["EventID": 1, "User": "b"]],
            .rows([0])),
        det("neq|contains", Sec.m("neq"), #"""
        selection:
            EventID: 1
            CommandLine|contains|neq: 'safe'
        condition: selection
        """#, [["EventID": 1, "CommandLine": "x safe y"], ["EventID": 1, "CommandLine": "x evil y"]],
            .rows([1])),
    ]

    // MARK: encodings

    static let encodings: [ConformanceCase] = [
        det("base64 encodes the value, whole-value match", Sec.m("base64"), #"""
        selection:
            Payload|base64: 'whoami'
        condition: selection
        """#, [["Payload": "d2hvYW1p"], ["Payload": "x d2hvYW1p"], ["Payload": "whoami"]],
            .rows([0])),
        det("base64|contains", Sec.m("base64"), #"""
        selection:
            CommandLine|base64|contains: 'whoami'
        condition: selection
        """#, [["CommandLine": "powershell -enc d2hvYW1p"], ["CommandLine": "powershell whoami"]],
            .rows([0])),
        det("base64offset|contains finds the value at offsets 0, 1 and 2", Sec.m("base64offset"), #"""
        selection:
            CommandLine|base64offset|contains: 'whoami'
        condition: selection
        """#, [["CommandLine": "-enc d2hvYW1pIHRyYWlsZXI="], ["CommandLine": "-enc YXdob2FtaSB0cmFpbGVy"],
               ["CommandLine": "-enc YWJ3aG9hbWkgdHJhaWxlcg=="], ["CommandLine": "whoami"], ["CommandLine": "-enc d2hvYW"]],
            .rows([0, 1, 2])),
        det("base64offset with a list: every value, every offset, OR", Sec.m("base64offset"), #"""
        selection:
            CommandLine|base64offset|contains:
                - 'whoami'
                - 'IEX'
        condition: selection
        """#, [["CommandLine": "YXdob2FtaSB0cmFpbGVy"], ["CommandLine": "SUVYIA=="], ["CommandLine": "aWV4"]],
            .rows([0, 1])),
        det("wide|base64offset|contains: UTF-16LE text inside base64", Sec.m("wide"), #"""
        selection:
            CommandLine|wide|base64offset|contains: 'New-Object'
        condition: selection
        """#, [["CommandLine": "powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"],
               ["CommandLine": "powershell -enc SUVYIChOZXctT2JqZWN0IE5ldC5XZWJDbGllbnQp"],
               ["CommandLine": "New-Object"]],
            .rows([0])),
        det("utf16le encodes as UTF-16 little endian", Sec.m("utf16le"), #"""
        selection:
            Data|utf16le|contains: 'cmd'
        condition: selection
        """#, [["Data": "a\0c\0m\0d\0"], ["Data": "cmd"]],
            .rows([0])),
        det("utf16be encodes as UTF-16 big endian", Sec.m("utf16be"), #"""
        selection:
            Data|utf16be: 'cmd'
        condition: selection
        """#, [["Data": "\0c\0m\0d"], ["Data": "c\0m\0d\0"], ["Data": "cmd"]],
            .rows([0])),
        det("utf16 prepends the byte order mark FF FE", Sec.m("utf16"), #"""
        selection:
            Data|utf16: 'cmd'
        condition: selection
        """#, [["Data": "\u{EFFF}\u{EFFE}c\0m\0d\0"], ["Data": "c\0m\0d\0"], ["Data": "cmd"]],
            .rows([0]),
            note: "Row 0 holds the bytes FF FE 63 00 6D 00 64 00 (invalid UTF-8, written under the ByteText policy)."),
        det("wide is an alias of utf16le", Sec.m("wide"), #"""
        selection:
            Data|wide: 'cmd'
        condition: selection
        """#, [["Data": "c\0m\0d\0"], ["Data": "\0c\0m\0d"]],
            .rows([0])),
        det("wide of a non-ASCII character keeps its exact bytes", Sec.m("utf16le"), #"""
        selection:
            Data|wide: 'é'
        condition: selection
        """#, [["Data": "\u{EFE9}\0"], ["Data": "\u{EFE8}\0"], ["Data": "\u{EFC9}\0"]],
            .rows([0]),
            note: "é is E9 00 in UTF-16LE (invalid UTF-8, written under the ByteText policy); è is E8 00."),
        det("utf16 does not take the big-endian byte order mark", Sec.m("utf16"), #"""
        selection:
            Data|utf16: 'cmd'
        condition: selection
        """#, [["Data": "\u{EFFE}\u{EFFF}c\0m\0d\0"], ["Data": "\u{EFFF}\u{EFFE}c\0m\0d\0"]],
            .rows([1]),
            note: "Row 0 starts FE FF (big-endian mark), row 1 FF FE."),
        det("windash expands a slash too", Sec.m("windash"), #"""
        selection:
            CommandLine|windash|contains: ' /c '
        condition: selection
        """#, [["CommandLine": "cmd -c whoami"], ["CommandLine": "cmd /c whoami"], ["CommandLine": "cmd \u{2014}c whoami"], ["CommandLine": "cmd c whoami"]],
            .rows([0, 1, 2])),
        det("startswith keeps an escaped star literal", Sec.m("startswith"), #"""
        selection:
            Name|startswith: 'a\*'
        condition: selection
        """#, [["Name": "a*b"], ["Name": "ab"]],
            .rows([0])),
        det("re on an integer column reads its decimal text", Sec.m("re"), #"""
        selection:
            EventID|re: '^46[0-9]{2}$'
        condition: selection
        """#, [["EventID": 4624], ["EventID": 4724], ["EventID": "4625"]],
            .rows([0, 2])),
        det("windash: - / en dash, em dash, horizontal bar", Sec.m("windash"), #"""
        selection:
            CommandLine|windash|contains: ' -enc '
        condition: selection
        """#, [["CommandLine": "powershell -enc x"], ["CommandLine": "powershell /enc x"], ["CommandLine": "powershell \u{2013}enc x"],
               ["CommandLine": "powershell \u{2014}enc x"], ["CommandLine": "powershell \u{2015}enc x"],
               ["CommandLine": "powershell enc x"], ["CommandLine": "powershell _enc x"]],
            .rows([0, 1, 2, 3, 4])),
        det("windash leaves a dash inside a word alone", Sec.m("windash"), #"""
        selection:
            CommandLine|windash|contains: 'Get-Process'
        condition: selection
        """#, [["CommandLine": "Get-Process"], ["CommandLine": "Get/Process"]],
            .rows([0]),
            note: "Only a flag start (regex \\B[-/]\\b, REFERENCE §2.3) is expanded."),
        det("windash at the start of the value", Sec.m("windash"), #"""
        selection:
            CommandLine|windash|contains: '-nop'
        condition: selection
        """#, [["CommandLine": "ps /nop x"], ["CommandLine": "ps -NOP x"], ["CommandLine": "ps nop"]],
            .rows([0, 1])),
        det("windash|contains|all: each value's variants are an OR group", Sec.m("windash"), #"""
        selection:
            CommandLine|windash|contains|all:
                - ' -a '
                - ' -b '
        condition: selection
        """#, [["CommandLine": "x /a /b y"], ["CommandLine": "x -a /b y"], ["CommandLine": "x -a y"]],
            .rows([0, 1]),
            note: "REFERENCE §2.3: variants stay OR-linked inside `all`."),
    ]

    // MARK: regular expressions

    static let regex: [ConformanceCase] = [
        det("re is an unanchored search", Sec.m("re"), #"""
        selection:
            Message|re: '[0-9]{3}-[0-9]{4}'
        condition: selection
        """#, [["Message": "call 555-1234 now"], ["Message": "55-123"]],
            .rows([0]),
            note: "The spec does not say search or full match; REFERENCE §2.3: unanchored search."),
        det("re is case-sensitive by default", Sec.m("re"), #"""
        selection:
            CommandLine|re: 'Invoke-Mimikatz'
        condition: selection
        """#, [["CommandLine": "Invoke-Mimikatz -x"], ["CommandLine": "invoke-mimikatz -x"]],
            .rows([0])),
        det("re|i ignores case", Sec.m("re: i"), #"""
        selection:
            CommandLine|re|i: 'Invoke-Mimikatz'
        condition: selection
        """#, [["CommandLine": "Invoke-Mimikatz -x"], ["CommandLine": "INVOKE-MIMIKATZ"], ["CommandLine": "Invoke"]],
            .rows([0, 1])),
        det("re anchors ^ and $ are the whole value", Sec.m("re"), #"""
        selection:
            Image|re: '^cmd\.exe$'
        condition: selection
        """#, [["Image": "cmd.exe"], ["Image": "x cmd.exe"], ["Image": "cmd.exe x"]],
            .rows([0])),
        det("re without m: ^ does not match after a newline", Sec.m("re: m"), #"""
        selection:
            Message|re: '^second$'
        condition: selection
        """#, [["Message": "first\nsecond\nthird"], ["Message": "second"]],
            .rows([1])),
        det("re|m: ^ and $ match at line ends", Sec.m("re: m"), #"""
        selection:
            Message|re|m: '^second$'
        condition: selection
        """#, [["Message": "first\nsecond\nthird"], ["Message": "first second"]],
            .rows([0])),
        det("re without s: . does not match a newline", Sec.m("re: s"), #"""
        selection:
            Message|re: 'a.b'
        condition: selection
        """#, [["Message": "a\nb"], ["Message": "axb"]],
            .rows([1])),
        det("re|s: . matches a newline", Sec.m("re: s"), #"""
        selection:
            Message|re|s: 'a.b'
        condition: selection
        """#, [["Message": "a\nb"], ["Message": "ab"]],
            .rows([0])),
        det("re groups and alternation", Sec.m("re"), #"""
        selection:
            Message|re: '(foo|bar)baz'
        condition: selection
        """#, [["Message": "xbarbazx"], ["Message": "foobaz"], ["Message": "bazbaz"]],
            .rows([0, 1])),
        det("re character classes and negated classes", Sec.m("re"), #"""
        selection:
            Message|re: 'id=[^0-9]+;'
        condition: selection
        """#, [["Message": "id=abc;"], ["Message": "id=12;"]],
            .rows([0])),
    ]

    // MARK: numbers, times, addresses

    static let numbersTimesAndAddresses: [ConformanceCase] = [
        det("gt: greater than, on numbers and numeric text", Sec.m("gt"), #"""
        selection:
            Count|gt: 10
        condition: selection
        """#, [["Count": 11], ["Count": 10], ["Count": "12"], ["Count": "abc"], ["Other": 50], ["Count": 10.5]],
            .rows([0, 2, 5])),
        det("gte: greater or equal", Sec.m("gte"), #"""
        selection:
            Count|gte: 10
        condition: selection
        """#, [["Count": 10], ["Count": 9], ["Count": 100]],
            .rows([0, 2])),
        det("lt: less than", Sec.m("lt"), #"""
        selection:
            Count|lt: 10
        condition: selection
        """#, [["Count": 9], ["Count": 10], ["Count": -3], ["Count": "x"]],
            .rows([0, 2])),
        det("lte: less or equal", Sec.m("lte"), #"""
        selection:
            Count|lte: 10
        condition: selection
        """#, [["Count": 10], ["Count": 11], ["Count": "9.5"]],
            .rows([0, 2])),
        det("gt and lt together are a range", Sec.m("gt"), #"""
        selection:
            Port|gt: 1000
            Port|lt: 2000
        condition: selection
        """#, [["Port": 1500], ["Port": 999], ["Port": 2000]],
            .rows([0])),
        det("cidr IPv4 on text and address columns", Sec.m("cidr"), #"""
        selection:
            SourceIp|cidr: 10.0.0.0/8
        condition: selection
        """#, [["SourceIp": "10.1.2.3"], ["SourceIp": "11.0.0.1"], ["SourceIp": .ip("10.255.0.1")], ["SourceIp": "not an ip"], ["SourceIp": .ip("192.0.2.1")]],
            .rows([0, 2])),
        det("cidr IPv4 off an octet boundary", Sec.m("cidr"), #"""
        selection:
            SourceIp|cidr: 192.168.1.0/25
        condition: selection
        """#, [["SourceIp": "192.168.1.127"], ["SourceIp": "192.168.1.128"], ["SourceIp": "192.168.1.0"]],
            .rows([0, 2])),
        det("cidr IPv6, canonical or not", Sec.m("cidr"), #"""
        selection:
            SourceIp|cidr: '2001:db8::/32'
        condition: selection
        """#, [["SourceIp": "2001:db8::1"], ["SourceIp": "2001:0DB8:0000:0000::1"], ["SourceIp": "2001:db9::1"], ["SourceIp": .ip("2001:db8:ffff::2")]],
            .rows([0, 1, 3])),
        det("cidr IPv6 off a nibble boundary", Sec.m("cidr"), #"""
        selection:
            SourceIp|cidr: '2001:db8:8000::/33'
        condition: selection
        """#, [["SourceIp": "2001:db8:8000::1"], ["SourceIp": "2001:db8:7fff::1"], ["SourceIp": "2001:db8:ffff:1::"]],
            .rows([0, 2])),
        det("cidr with a list is OR", Sec.m("cidr"), #"""
        selection:
            SourceIp|cidr:
                - 10.0.0.0/8
                - 192.168.0.0/16
        condition: selection
        """#, [["SourceIp": "192.168.5.5"], ["SourceIp": "10.0.0.1"], ["SourceIp": "172.16.0.1"]],
            .rows([0, 1])),
        det("hour of a timestamp", Sec.m("hour"), #"""
        selection:
            '@timestamp|hour': 13
        condition: selection
        """#, [["@timestamp": "2024-03-15T13:05:00Z"], ["@timestamp": "2024-03-15T14:00:00Z"]],
            .rows([0])),
        det("minute of a timestamp", Sec.m("minute"), #"""
        selection:
            '@timestamp|minute': 5
        condition: selection
        """#, [["@timestamp": "2024-03-15T13:05:00Z"], ["@timestamp": "2024-03-15T13:06:00Z"]],
            .rows([0])),
        det("day of a timestamp", Sec.m("day"), #"""
        selection:
            '@timestamp|day': 15
        condition: selection
        """#, [["@timestamp": "2024-03-15T13:05:00Z"], ["@timestamp": "2024-03-16T13:05:00Z"]],
            .rows([0])),
        det("week of a timestamp (ISO week)", Sec.m("week"), #"""
        selection:
            '@timestamp|week': 11
        condition: selection
        """#, [["@timestamp": "2024-03-15T13:05:00Z"], ["@timestamp": "2024-03-18T00:00:00Z"]],
            .rows([0]),
            note: "The spec says 'number between 1 and 52' without naming a week system; spoor uses ISO 8601 weeks."),
        det("month of a timestamp", Sec.m("month"), #"""
        selection:
            '@timestamp|month': 3
        condition: selection
        """#, [["@timestamp": "2024-03-15T13:05:00Z"], ["@timestamp": "2024-04-15T13:05:00Z"]],
            .rows([0])),
        det("year of a timestamp", Sec.m("year"), #"""
        selection:
            '@timestamp|year': 2024
        condition: selection
        """#, [["@timestamp": "2024-03-15T13:05:00Z"], ["@timestamp": "2023-03-15T13:05:00Z"]],
            .rows([0])),
        det("month of a date written as text", Sec.m("month"), #"""
        selection:
            Created|month: 3
        condition: selection
        """#, [["Created": "2024-03-01T00:00:00Z"], ["Created": "2024-05-01T00:00:00Z"], ["Created": "soon"]],
            .rows([0])),
    ]

    // MARK: fieldref, expand

    static let specific: [ConformanceCase] = [
        det("fieldref: equal to another field of the same event", Sec.m("fieldref"), #"""
        selection:
            TargetUser|fieldref: SubjectUser
        condition: selection
        """#, [["TargetUser": "bob", "SubjectUser": "bob"], ["TargetUser": "bob", "SubjectUser": "eve"],
               ["TargetUser": "Bob", "SubjectUser": "bob"], ["TargetUser": "bob"]],
            .rows([0, 2])),
        det("fieldref|startswith", Sec.m("fieldref"), #"""
        selection:
            Path|fieldref|startswith: Dir
        condition: selection
        """#, [["Path": #"C:\a\b.exe"#, "Dir": #"C:\a"#], ["Path": #"C:\x\b.exe"#, "Dir": #"C:\a"#]],
            .rows([0])),
        det("fieldref|endswith", Sec.m("fieldref"), #"""
        selection:
            Path|fieldref|endswith: Name
        condition: selection
        """#, [["Path": #"C:\a\b.exe"#, "Name": "b.exe"], ["Path": #"C:\a\b.exe"#, "Name": "c.exe"]],
            .rows([0])),
        det("fieldref|contains", Sec.m("fieldref"), #"""
        selection:
            CommandLine|fieldref|contains: User
        condition: selection
        """#, [["CommandLine": "net user bob /add", "User": "BOB"], ["CommandLine": "net user eve /add", "User": "bob"]],
            .rows([0])),
        det("fieldref|cased", Sec.m("fieldref"), #"""
        selection:
            TargetUser|fieldref|cased: SubjectUser
        condition: selection
        """#, [["TargetUser": "bob", "SubjectUser": "bob"], ["TargetUser": "Bob", "SubjectUser": "bob"]],
            .rows([0])),
        det("fieldref|neq: different from the other field", Sec.m("fieldref"), #"""
        selection:
            TargetUser|fieldref|neq: SubjectUser
        condition: selection
        """#, [["TargetUser": "bob", "SubjectUser": "bob"], ["TargetUser": "bob", "SubjectUser": "eve"]],
            .rows([1])),
        det("expand replaces a placeholder by its values (OR, with wildcards)", Sec.r("Placeholders"), #"""
        selection:
            Computer|expand: '%Servers%'
        condition: selection
        """#, [["Computer": "SRV-01"], ["Computer": "dc01"], ["Computer": "ws17"]],
            .rows([0, 1]), placeholders: ["Servers": ["srv*", "dc01"]]),
        det("expand inside a longer value", Sec.r("Placeholders"), #"""
        selection:
            User|expand: '%Administrators%@corp'
        condition: selection
        """#, [["User": "alice@corp"], ["User": "mallory@corp"], ["User": "alice"]],
            .rows([0]), placeholders: ["Administrators": ["alice", "root"]]),
        det("expand with an unresolved placeholder: the rule is rejected", Sec.r("Placeholders"), #"""
        selection:
            Computer|expand: '%JumpServers%'
        condition: selection
        """#, [["Computer": "x"]],
            .unsupported("%JumpServers%")),
        det("expand: \\% is a plain percent sign", Sec.r("Placeholders"), #"""
        selection:
            Field|expand: '\%plain%name%'
        condition: selection
        """#, [["Field": "%plainvalue"], ["Field": "%plain%name%"]],
            .rows([0]), placeholders: ["name": ["value"]]),
        det("without expand a placeholder is literal text", Sec.r("Placeholders"), #"""
        selection:
            Field: '%name%'
        condition: selection
        """#, [["Field": "%name%"], ["Field": "value"]],
            .rows([0]), placeholders: ["name": ["value"]]),
    ]
}
