// Conformance cases: strings, wildcards, escaping and case (Sigma spec v2.1.0 §"General",
// §"String Wildcard", §"Escaping"); value types, special values and the structure of search
// identifiers (§"Lists", §"Maps", §"Special Field Values", §"Keywords search").

extension ConformanceCase {
    // MARK: strings

    static let strings: [ConformanceCase] = [
        det("a plain value is whole-value equality", Sec.r("General"), #"""
        selection:
            Image: 'cmd.exe'
        condition: selection
        """#, [["Image": "cmd.exe"], ["Image": "xcmd.exe"], ["Image": "cmd.exe "], ["Image": "CMD.EXE"]],
            .rows([0, 3])),
        det("values are case-insensitive", Sec.r("General"), #"""
        selection:
            User: 'Administrator'
        condition: selection
        """#, [["User": "administrator"], ["User": "ADMINISTRATOR"], ["User": "Admin"]],
            .rows([0, 1])),
        det("case-insensitive beyond ASCII", Sec.r("General"), #"""
        selection:
            User: 'ÄRGER'
            Host|contains: 'ПРИВЕТ'
        condition: selection
        """#, [["User": "ärger", "Host": "x привет y"], ["User": "Ärger", "Host": "ПРИВЕТ"], ["User": "arger", "Host": "привет"]],
            .rows([0, 1]),
            note: "'All values are treated as case-insensitive strings'; REFERENCE §2.3 decision: Unicode lowercasing, not ASCII-only."),
        det("* is any run, here at the start", Sec.r("String Wildcard"), #"""
        selection:
            Image: '*\cmd.exe'
        condition: selection
        """#, [["Image": #"C:\Windows\cmd.exe"#], ["Image": #"\cmd.exe"#], ["Image": "cmd.exe"]],
            .rows([0, 1])),
        det("* matches the empty run", Sec.r("String Wildcard"), #"""
        selection:
            Image: 'cmd*'
        condition: selection
        """#, [["Image": "cmd"], ["Image": "cmd.exe"], ["Image": "xcmd"]],
            .rows([0, 1])),
        det("* in the middle: the spec's antivirus_V*.exe", Sec.r("String Wildcard"), #"""
        selection:
            Image: 'antivirus_V*.exe'
        condition: selection
        """#, [["Image": "antivirus_V1.exe"], ["Image": "antivirus_V21.2.1.exe"], ["Image": "antivirus_V1.exe.old"]],
            .rows([0, 1])),
        det("? is exactly one character: the spec's prog?.exe", Sec.r("String Wildcard"), #"""
        selection:
            Image: 'prog?.exe'
        condition: selection
        """#, [["Image": "progA.exe"], ["Image": "prog.exe"], ["Image": "progAB.exe"], ["Image": "progé.exe"], ["Image": "prog字.exe"]],
            .rows([0, 3, 4]),
            note: "A character, not a byte: é and 字 are one character each."),
        det("a lone * matches any present value, even empty", Sec.r("String Wildcard"), #"""
        selection:
            Image: '*'
        condition: selection
        """#, [["Image": "x"], ["Image": ""], ["Other": "x"]],
            .rows([0, 1])),
        det("\\* is a literal star", Sec.r("Escaping"), #"""
        selection:
            Name: 'a\*b'
        condition: selection
        """#, [["Name": "a*b"], ["Name": "axb"], ["Name": #"a\xb"#]],
            .rows([0])),
        det("\\? is a literal question mark", Sec.r("Escaping"), #"""
        selection:
            Name: 'what\?'
        condition: selection
        """#, [["Name": "what?"], ["Name": "whatx"]],
            .rows([0])),
        det("a plain backslash may be single", Sec.r("Escaping"), #"""
        selection:
            Path: 'C:\Windows\System32'
        condition: selection
        """#, [["Path": #"C:\Windows\System32"#], ["Path": #"C:\\Windows\\System32"#]],
            .rows([0])),
        det("a plain backslash may be doubled", Sec.r("Escaping"), #"""
        selection:
            Path: 'C:\\Windows\\System32'
        condition: selection
        """#, [["Path": #"C:\Windows\System32"#], ["Path": #"C:\\Windows\\System32"#]],
            .rows([0])),
        det("\\\\* is a backslash then a wildcard", Sec.r("Escaping"), #"""
        selection:
            Path: 'C:\Windows\\*'
        condition: selection
        """#, [["Path": #"C:\Windows\System32"#], ["Path": #"C:\Windows\"#], ["Path": #"C:\Windows"#], ["Path": #"C:\Windows\*"#]],
            .rows([0, 1, 3])),
        det("\\\\\\* is a backslash then a literal star", Sec.r("Escaping"), #"""
        selection:
            Path: 'a\\\*'
        condition: selection
        """#, [["Path": #"a\*"#], ["Path": #"a\x"#], ["Path": "a*"]],
            .rows([0])),
        det("\\\\\\\\ is two literal backslashes", Sec.r("Escaping"), #"""
        selection:
            Path: '\\\\server\share'
        condition: selection
        """#, [["Path": #"\\server\share"#], ["Path": #"\server\share"#]],
            .rows([0])),
        det("three backslashes before a plain character are two", Sec.r("Escaping"), #"""
        selection:
            Path: 'x\\\y'
        condition: selection
        """#, [["Path": #"x\\y"#], ["Path": #"x\y"#], ["Path": #"x\\\y"#]],
            .rows([0]),
            note: "'Three or four backslashes are handled as double backslash.'"),
        det("a trailing backslash is literal", Sec.r("Escaping"), #"""
        selection:
            Path|startswith: 'C:\Windows\'
            Dir: 'C:\Temp\'
        condition: selection
        """#, [["Path": #"C:\Windows\x"#, "Dir": #"C:\Temp\"#], ["Path": #"C:\Windows\x"#, "Dir": #"C:\Temp"#]],
            .rows([0])),
        det("a backslash before an ordinary letter is literal", Sec.r("Escaping"), #"""
        selection:
            Text: 'a\nb'
        condition: selection
        """#, [["Text": #"a\nb"#], ["Text": "a\nb"], ["Text": "anb"]],
            .rows([0])),
        det("contains with an escaped wildcard", Sec.r("Escaping"), #"""
        selection:
            CommandLine|contains: 'SELECT \* FROM'
        condition: selection
        """#, [["CommandLine": "x SELECT * FROM users"], ["CommandLine": "x SELECT id FROM users"]],
            .rows([0])),
        det("a quote inside a value is doubled (YAML single quotes)", Sec.r("General"), #"""
        selection:
            Message: 'it''s'
        condition: selection
        """#, [["Message": "it's"], ["Message": "its"]],
            .rows([0])),
    ]

    // MARK: types, special values, structure

    static let values: [ConformanceCase] = [
        det("a map is AND", Sec.r("Maps"), #"""
        selection:
            EventLog: Security
            EventID: 4769
            TicketOptions: '0x40810000'
            TicketEncryption: '0x17'
        condition: selection
        """#, [["EventLog": "Security", "EventID": 4769, "TicketOptions": "0x40810000", "TicketEncryption": "0x17"],
               ["EventLog": "Security", "EventID": 4769, "TicketOptions": "0x40810000", "TicketEncryption": "0x12"],
               ["EventLog": "Security", "EventID": 4769, "TicketOptions": "0x40810000"]],
            .rows([0])),
        det("a value list is OR (the spec's EventID 517 or 1102)", Sec.r("Maps"), #"""
        selection:
            EventLog: Security
            EventID:
                - 517
                - 1102
        condition: selection
        """#, [["EventLog": "Security", "EventID": 1102], ["EventLog": "Security", "EventID": 517], ["EventLog": "System", "EventID": 517], ["EventLog": "Security", "EventID": 4624]],
            .rows([0, 1])),
        det("a list of maps is OR", Sec.r("Lists"), #"""
        selection:
            - Image|endswith: '\example.exe'
            - Description|contains: 'Test executable'
        condition: selection
        """#, [["Image": #"C:\example.exe"#], ["Description": "A test executable here"], ["Image": #"C:\other.exe"#, "Description": "prod"]],
            .rows([0, 1])),
        det("a list of maps, each map AND", Sec.r("Lists"), #"""
        selection:
            - Image|endswith: '\a.exe'
              User: bob
            - Image|endswith: '\b.exe'
        condition: selection
        """#, [["Image": #"C:\a.exe"#, "User": "bob"], ["Image": #"C:\a.exe"#, "User": "eve"], ["Image": #"C:\b.exe"#, "User": "eve"]],
            .rows([0, 2])),
        det("a number matches an integer column and numeric text", Sec.r("Maps"), #"""
        selection:
            EventID: 4624
        condition: selection
        """#, [["EventID": 4624], ["EventID": "4624"], ["EventID": 4625], ["EventID": "04624"]],
            .rows([0, 1]),
            note: "REFERENCE §2.3: EventID is text from XML and a number from JSON; both must match."),
        det("a quoted number matches an integer column", Sec.r("Maps"), #"""
        selection:
            EventID: '4624'
        condition: selection
        """#, [["EventID": 4624], ["EventID": "4624"]],
            .rows([0, 1])),
        det("unquoted 0x17 is the YAML 1.1 integer 23", Sec.r("Maps"), #"""
        selection:
            TicketEncryption: 0x17
        condition: selection
        """#, [["TicketEncryption": 23], ["TicketEncryption": "23"], ["TicketEncryption": "0x17"]],
            .rows([0, 1]),
            note: "YAML 1.1 (PyYAML, pySigma) reads 0x17 as 23 (REFERENCE §2.3); the spec's own example quotes '0x17'."),
        det("quoted '0x17' is text", Sec.r("Maps"), #"""
        selection:
            TicketEncryption: '0x17'
        condition: selection
        """#, [["TicketEncryption": "0x17"], ["TicketEncryption": 23], ["TicketEncryption": "0X17"]],
            .rows([0, 2])),
        det("unquoted 010 is the YAML 1.1 octal 8", Sec.r("Maps"), #"""
        selection:
            Level: 010
        condition: selection
        """#, [["Level": 8], ["Level": "010"], ["Level": 10]],
            .rows([0]),
            note: "YAML 1.1 typing (REFERENCE §2.3)."),
        det("a negative number", Sec.r("Maps"), #"""
        selection:
            Delta: -5
        condition: selection
        """#, [["Delta": -5], ["Delta": 5], ["Delta": "-5"]],
            .rows([0, 2])),
        det("a float", Sec.r("Maps"), #"""
        selection:
            Ratio: 1.5
        condition: selection
        """#, [["Ratio": 1.5], ["Ratio": "1.5"], ["Ratio": 15]],
            .rows([0, 1])),
        det("a whole number matches a float column holding it", Sec.r("Maps"), #"""
        selection:
            Count: 5
        condition: selection
        """#, [["Count": 5.0], ["Count": 5.5], ["Count": 5]],
            .rows([0, 2])),
        det("a float with a zero fraction matches the number", Sec.r("Maps"), #"""
        selection:
            Version: 1.0
        condition: selection
        """#, [["Version": 1.0], ["Version": 1], ["Version": "1.0"], ["Version": 2.0]],
            .rows([0, 1, 2]),
            note: "REFERENCE §2.3: YAML numbers are numbers; compare numerically when the event value is numeric."),
        det("a boolean matches a boolean column and its text", Sec.r("Maps"), #"""
        selection:
            Enabled: true
        condition: selection
        """#, [["Enabled": true], ["Enabled": false], ["Enabled": "true"], ["Enabled": "True"]],
            .rows([0, 2, 3])),
        det("unquoted yes is the YAML 1.1 boolean true", Sec.r("Maps"), #"""
        selection:
            Enabled: yes
        condition: selection
        """#, [["Enabled": true], ["Enabled": "yes"]],
            .rows([0]),
            note: "YAML 1.1 typing (REFERENCE §2.3): quote 'yes' to match the text."),
        det("a wildcard on an integer column compares its decimal text", Sec.r("String Wildcard"), #"""
        selection:
            Port: '44*'
        condition: selection
        """#, [["Port": 443], ["Port": 80], ["Port": "4433"]],
            .rows([0, 2])),
        det("an address column compares as its text", Sec.r("Maps"), #"""
        selection:
            SourceIp|startswith: '10.'
            DestinationIp: 192.0.2.7
        condition: selection
        """#, [["SourceIp": .ip("10.0.0.1"), "DestinationIp": .ip("192.0.2.7")], ["SourceIp": .ip("11.0.0.1"), "DestinationIp": .ip("192.0.2.7")]],
            .rows([0])),
        det("null: the field is absent or null", Sec.r("Special Field Values"), #"""
        selection:
            PasswordLastSet: null
        condition: selection
        """#, [["EventID": 1], ["PasswordLastSet": .null, "EventID": 1], ["PasswordLastSet": ""], ["PasswordLastSet": "x"]],
            .rows([0, 1]),
            note: "REFERENCE §2.3: null means absent or null."),
        det("not null through a negated selection (the spec's example)", Sec.r("Special Field Values"), #"""
        selection:
            EventID: 4738
        filter:
            PasswordLastSet: null
        condition: selection and not filter
        """#, [["EventID": 4738, "PasswordLastSet": "x"], ["EventID": 4738], ["EventID": 4738, "PasswordLastSet": ""], ["EventID": 1, "PasswordLastSet": "x"]],
            .rows([0, 2])),
        det("~ is YAML null too", Sec.r("Special Field Values"), #"""
        selection:
            PasswordLastSet: ~
        condition: selection
        """#, [["EventID": 1], ["PasswordLastSet": "x"]],
            .rows([0])),
        det("'' is an empty value, present", Sec.r("Special Field Values"), #"""
        selection:
            Description: ''
        condition: selection
        """#, [["Description": ""], ["EventID": 1], ["Description": .null, "EventID": 1], ["Description": " "]],
            .rows([0])),
        det("a field the event lacks never matches and is no error", Sec.r("Maps"), #"""
        selection:
            NoSuchField: 'x'
        condition: selection
        """#, [["Image": "x"], ["Image": "y"]],
            .rows([])),
        det("a field the event lacks under not", Sec.r("Condition"), #"""
        selection:
            NoSuchField|contains: 'x'
        condition: not selection
        """#, [["Image": "x"], ["NoSuchField": "axb"]],
            .rows([0])),
        det("a list column matches when any element does", Sec.r("Maps"), #"""
        selection:
            Tags: 'b'
        condition: selection
        """#, [["Tags": ["a", "b"]], ["Tags": ["a"]], ["Tags": []], ["Tags": ["B"]]],
            .rows([0, 3]),
            note: "The spec does not define list-valued fields; spoor: any element."),
        det("contains on a list column", Sec.r("Maps"), #"""
        selection:
            Tags|contains: 'ev'
        condition: selection
        """#, [["Tags": ["x", "devil"]], ["Tags": ["x", "e v"]]],
            .rows([0])),
        det("keywords: a plain list is OR over the whole event", Sec.r("Keywords search"), #"""
        keywords:
            - 'event::clear'
            - 'event::drop'
        condition: keywords
        """#, [["Message": "mimikatz # event::clear"], ["CommandLine": "EVENT::DROP now"], ["Message": "event"], ["Other": "x", "Message": "y event::drop"]],
            .rows([0, 1, 3]),
            note: "REFERENCE §2.3: a keyword matches when any text field contains it (case-insensitive)."),
        det("keywords with |all are AND", Sec.r("Keywords search"), #"""
        keywords_cmdlet:
            '|all':
                - 'OabVirtualDirectory'
                - ' -ExternalUrl '
        condition: keywords_cmdlet
        """#, [["CommandLine": "Set-OabVirtualDirectory -ExternalUrl http://x"], ["CommandLine": "Set-OabVirtualDirectory"],
               ["CommandLine": "x -ExternalUrl y", "Message": "OabVirtualDirectory"]],
            .rows([0, 2])),
        det("a keyword with a wildcard", Sec.r("Keywords search"), #"""
        keywords:
            - 'evil*.exe'
        condition: keywords
        """#, [["Message": "ran evil123.exe now"], ["Message": "evil.ex"], ["Message": "EVIL.EXE"]],
            .rows([0, 2])),
        det("a keyword in a list column", Sec.r("Keywords search"), #"""
        keywords:
            - 'mimikatz'
        condition: keywords
        """#, [["Tags": ["a", "has mimikatz"]], ["Tags": ["a"]]],
            .rows([0])),
        det("a single keyword as a scalar", Sec.r("Keywords search"), #"""
        keywords: 'mimikatz'
        condition: keywords
        """#, [["Message": "x mimikatz y"], ["Message": "x"]],
            .rows([0])),
    ]
}
