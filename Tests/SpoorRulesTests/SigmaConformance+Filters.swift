// Conformance cases: filters (Sigma Filters specification v2.0.0).
//
// Ambiguity (REFERENCE §2.3): the spec's example writes `condition: selection` for what it
// describes as an exclusion; pySigma joins a filter as `(rule condition) and (filter condition)`,
// so an exclusion is written `not selection`. spoor follows pySigma; a positive filter condition
// restricts the rule (and should draw a warning).

private let whoami = """
title: whoami
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
name: whoami_run
logsource:
    category: process_creation
    product: acme
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
"""

private let rar = """
title: rar
id: df0841c0-9846-4e9f-ad8a-7df91571771b
name: rar_run
logsource:
    category: process_creation
    product: acme
detection:
    selection:
        Image|endswith: '\\rar.exe'
    condition: selection
"""

private let linuxRule = """
title: other whoami
id: 0b7c8d1e-0000-4000-8000-00000000000a
logsource:
    category: process_creation
    product: other
detection:
    selection:
        Image|endswith: '/whoami'
    condition: selection
"""

private func filter(_ rules: String, condition: String = "not selection", logsource: String = "category: process_creation\n    product: acme") -> String {
    """
    title: Filter Administrator account
    description: The valid administrator account start with adm_
    logsource:
        \(logsource)
    filter:
        rules:\(rules)
        selection:
            User|startswith: 'adm_'
        condition: \(condition)
    """
}

private func file(_ docs: String...) -> String { docs.joined(separator: "\n---\n") }

/// Process events (product `acme` binds through the generic binding: field X is column X).
private func proc(_ image: String, _ user: String) -> Ev {
    ["Image": .s(image), "User": .s(user)]
}

private let procEvents: [Ev] = [
    proc(#"C:\Windows\System32\whoami.exe"#, "bob"),
    proc(#"C:\Windows\System32\whoami.exe"#, "adm_alice"),
    proc(#"C:\Program Files\rar.exe"#, "bob"),
    proc(#"C:\Program Files\rar.exe"#, "adm_alice"),
]

extension ConformanceCase {
    static let filters: [ConformanceCase] = [
        doc("no filter: the rules match as written", Sec.f("Introduction"), file(whoami, rar), procEvents,
            .matches(["whoami": [0, 1], "rar": [2, 3]])),
        doc("a filter applied to a rule named by id", Sec.f("Relative rules"),
            file(whoami, rar, filter("\n        - 6f3e2987-db24-4c78-a860-b4f4095a7095")), procEvents,
            .matches(["whoami": [0], "rar": [2, 3]])),
        doc("a filter applied to a rule named by name", Sec.f("Relative rules"),
            file(whoami, rar, filter("\n        - rar_run")), procEvents,
            .matches(["whoami": [0, 1], "rar": [2]])),
        doc("a filter naming two rules (the spec's example)", Sec.f("Examples"),
            file(whoami, rar, filter("\n        - 6f3e2987-db24-4c78-a860-b4f4095a7095 # whoami\n        - df0841c0-9846-4e9f-ad8a-7df91571771b # rar")), procEvents,
            .matches(["whoami": [0], "rar": [2]])),
        doc("rules: any applies to every rule of the logsource", Sec.f("Relative rules"),
            file(whoami, rar, filter(" any")), procEvents,
            .matches(["whoami": [0], "rar": [2]])),
        doc("a filter skips rules it does not name", Sec.f("Relative rules"),
            file(whoami, rar, filter("\n        - some_other_rule")), procEvents,
            .matches(["whoami": [0, 1], "rar": [2, 3]])),
        doc("a filter applies only where its logsource matches", Sec.f("Log source"),
            file(whoami, linuxRule, filter(" any")),
            procEvents + [["Image": "/usr/bin/whoami", "User": "adm_root"]],
            .matches(["whoami": [0], "other whoami": [4]])),
        doc("a filter with another logsource leaves the rule alone", Sec.f("Log source"),
            file(whoami, filter(" any", logsource: "category: network_connection\n    product: acme")), procEvents,
            .matches(["whoami": [0, 1]])),
        doc("filter identifiers do not clash with the rule's", Sec.f("filter selection"), file("""
        title: same names
        id: 11111111-0000-4000-8000-000000000001
        logsource:
            category: process_creation
            product: acme
        detection:
            selection:
                Image|endswith: '\\whoami.exe'
            filter_main:
                User: 'bob'
            condition: selection and not filter_main
        """, """
        title: f
        logsource:
            category: process_creation
            product: acme
        filter:
            rules: any
            selection:
                User|startswith: 'adm_'
            filter_main:
                User: 'root'
            condition: not selection and not filter_main
        """), procEvents + [proc(#"C:\x\whoami.exe"#, "root"), proc(#"C:\x\whoami.exe"#, "carol")],
            .matches(["same names": [5]])),
        doc("a rule's 1 of them does not take in the filter's identifiers", Sec.f("filter selection"), file("""
        title: them rule
        id: 11111111-0000-4000-8000-000000000002
        logsource:
            category: process_creation
            product: acme
        detection:
            sel_whoami:
                Image|endswith: '\\whoami.exe'
            sel_rar:
                Image|endswith: '\\rar.exe'
            condition: 1 of them
        """, filter(" any")), procEvents,
            .matches(["them rule": [0, 2]])),
        doc("a filter leaves correlations alone", Sec.f("Introduction"), file(whoami, """
        title: many whoami
        correlation:
            type: event_count
            rules: [whoami_run]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 1
        generate: true
        """, filter(" any")), procEvents,
            .matches(["whoami": [0]])),
        doc("a filter condition using 1 of them means the filter's own identifiers", Sec.f("filter condition"),
            file(whoami, filter(" any", condition: "not 1 of them")), procEvents,
            .matches(["whoami": [0]]),
            note: "'them' in a filter's condition can only mean the filter's identifiers (the filter condition reads as a detection's)."),
        doc("a positive filter condition (the spec's example) restricts the rule, with a warning", Sec.f("Examples"),
            file(whoami, filter(" any", condition: "selection")), procEvents,
            .matchesWithWarning(["whoami": [1]], "filter"),
            note: "REFERENCE §2.3 decision: follow pySigma's AND join and warn on a positive filter condition."),
    ]
}
