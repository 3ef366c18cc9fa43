// Conformance cases: the condition grammar (Sigma spec v2.1.0 §"Condition") and the problems a
// loader must report with `file:line:column`.

/// Three searches: `a` (A: 1), `b` (B: 1), `c` (C: 1); events 0…7 are every combination
/// (row = 4·a + 2·b + c), so a condition's rows are its truth table.
private func truth(_ name: String, _ condition: String, _ rows: [Int], note: String? = nil) -> ConformanceCase {
    var events: [Ev] = []
    for r in 0..<8 {
        events.append(["A": .i(r >> 2 & 1), "B": .i(r >> 1 & 1), "C": .i(r & 1)])
    }
    return det(name, Sec.r("Condition"), """
    a:
        A: 1
    b:
        B: 1
    c:
        C: 1
    condition: \(condition)
    """, events, .rows(rows), note: note)
}

/// Searches `sel1` (A: 1), `sel2` (B: 1), `filter1` (C: 1), `_hidden` (D: 1) over the same
/// truth table plus D (row = 8·d + 4·a + 2·b + c).
private func named(_ name: String, _ condition: String, _ rows: [Int], note: String? = nil) -> ConformanceCase {
    var events: [Ev] = []
    for r in 0..<16 {
        events.append(["A": .i(r >> 2 & 1), "B": .i(r >> 1 & 1), "C": .i(r & 1), "D": .i(r >> 3 & 1)])
    }
    return det(name, Sec.r("Condition"), """
    sel1:
        A: 1
    sel2:
        B: 1
    filter1:
        C: 1
    _hidden:
        D: 1
    condition: \(condition)
    """, events, .rows(rows), note: note)
}

private func rowsWhere(_ n: Int, _ f: (Bool, Bool, Bool, Bool) -> Bool) -> [Int] {
    (0..<n).filter { f($0 & 4 != 0, $0 & 2 != 0, $0 & 1 != 0, $0 & 8 != 0) }
}

extension ConformanceCase {
    static let conditions: [ConformanceCase] = [
        truth("and", "a and b", rowsWhere(8) { a, b, _, _ in a && b }),
        truth("or", "a or b", rowsWhere(8) { a, b, _, _ in a || b }),
        truth("not", "not a", rowsWhere(8) { a, _, _, _ in !a }),
        truth("and binds tighter than or (a or b and c)", "a or b and c", rowsWhere(8) { a, b, c, _ in a || (b && c) }),
        truth("and binds tighter than or (a and b or c)", "a and b or c", rowsWhere(8) { a, b, c, _ in (a && b) || c }),
        truth("not binds tighter than and", "not a and b", rowsWhere(8) { a, b, _, _ in !a && b }),
        truth("not binds tighter than or", "not a or b", rowsWhere(8) { a, b, _, _ in !a || b }),
        truth("parentheses group", "(a or b) and c", rowsWhere(8) { a, b, c, _ in (a || b) && c }),
        truth("not over parentheses", "not (a or b)", rowsWhere(8) { a, b, _, _ in !(a || b) }),
        truth("nested not", "not not a", rowsWhere(8) { a, _, _, _ in a }),
        truth("not of a parenthesised and", "a and not (b and c)", rowsWhere(8) { a, b, c, _ in a && !(b && c) }),
        truth("nested parentheses", "((a or (b)) and (not c))", rowsWhere(8) { a, b, c, _ in (a || b) && !c }),
        truth("chains of and/or are left-associative", "a or b or c and not a", rowsWhere(8) { a, b, c, _ in a || b || (c && !a) }),
        det("the condition may be a list: OR of its items", Sec.r("Condition"), """
        a:
            A: 1
        b:
            B: 1
        condition:
            - a
            - b
        """, [["A": 1], ["B": 1], ["A": 0, "B": 0]], .rows([0, 1])),
        det("a condition list item may be a full expression", Sec.r("Condition"), """
        a:
            A: 1
        b:
            B: 1
        c:
            C: 1
        condition:
            - a and b
            - c
        """, [["A": 1], ["A": 1, "B": 1], ["C": 1]], .rows([1, 2])),
        named("1 of pattern", "1 of sel*", rowsWhere(16) { a, b, _, _ in a || b }),
        named("any of pattern", "any of sel*", rowsWhere(16) { a, b, _, _ in a || b }),
        named("all of pattern", "all of sel*", rowsWhere(16) { a, b, _, _ in a && b }),
        named("1 of pattern and not 1 of pattern (the spec's example)", "1 of sel* and not 1 of filter*", rowsWhere(16) { a, b, c, _ in (a || b) && !c }),
        named("1 of pattern and an identifier (the spec's example)", "1 of sel* and filter1", rowsWhere(16) { a, b, c, _ in (a || b) && c }),
        named("x of binds tighter than not", "not 1 of sel*", rowsWhere(16) { a, b, _, _ in !(a || b) }),
        named("all of with a pattern matching one identifier", "all of filter*", rowsWhere(16) { _, _, c, _ in c }),
        named("a pattern with * in the middle", "1 of s*1", rowsWhere(16) { a, _, _, _ in a }),
        named("1 of them leaves out identifiers starting with _", "1 of them", rowsWhere(16) { a, b, c, _ in a || b || c }),
        named("all of them leaves out identifiers starting with _", "all of them", rowsWhere(16) { a, b, c, _ in a && b && c }),
        named("an identifier starting with _ can be named directly", "1 of sel* and not _hidden", rowsWhere(16) { a, b, _, d in (a || b) && !d }),
        named("an explicit pattern may select identifiers starting with _", "1 of _hid*", rowsWhere(16) { _, _, _, d in d },
              note: "The spec excludes '_' identifiers for 'them'; for a pattern it says 'restricted to matching identifiers'. Decision (pySigma): an explicit pattern selects them."),
        named("not over all of", "not all of sel*", rowsWhere(16) { a, b, _, _ in !(a && b) }),
        named("all of them inside parentheses", "(all of them) or _hidden", rowsWhere(16) { a, b, c, d in (a && b && c) || d }),
        det("identifiers may hold digits, _ and -", Sec.r("Condition"), """
        sel-1:
            A: 1
        Sel_2:
            B: 1
        condition: sel-1 and Sel_2
        """, [["A": 1, "B": 1], ["A": 1]], .rows([0])),
        det("keywords and a field map in one condition", Sec.r("Condition"), """
        keywords:
            - 'mimikatz'
        selection:
            EventID: 1
        condition: keywords and selection
        """, [["EventID": 1, "CommandLine": "mimikatz"], ["EventID": 1, "CommandLine": "x"], ["EventID": 2, "CommandLine": "mimikatz"]],
            .rows([0])),
        det("v1 aggregation | count() is rejected as unsupported", Sec.c("Expression of Relationships In The Condition of Sigma Rules"), """
        selection:
            EventID: 4625
        condition: selection | count() by User > 5
        """, [["EventID": 4625]], .unsupported("obsolete"),
            note: "REFERENCE §2.3: v1 aggregations are rejected as unsupported, not as broken rules."),
        det("v1 aggregation without a comparison is unsupported", Sec.c("Expression of Relationships In The Condition of Sigma Rules"), """
        selection:
            EventID: 4625
        condition: selection | count(User)
        """, [["EventID": 4625]], .unsupported("obsolete")),
        det("v1 near is rejected as unsupported", Sec.c("Expression of Relationships In The Condition of Sigma Rules"), """
        a:
            A: 1
        b:
            B: 1
        condition: a and near b
        """, [["A": 1]], .unsupported("near")),
    ]

    static let loadErrors: [ConformanceCase] = [
        det("an identifier the detection does not define", Sec.r("Condition"), """
        selection:
            A: 1
        condition: selection and nosuch
        """, [["A": 1]], .error("'nosuch'", line: 8, column: 16)),
        det("a pattern that selects nothing", Sec.r("Condition"), """
        selection:
            A: 1
        condition: 1 of filter*
        """, [["A": 1]], .error("selects no search identifier", line: 8)),
        det("a missing parenthesis", Sec.r("Condition"), """
        selection:
            A: 1
        condition: (selection
        """, [["A": 1]], .error("missing ')'", line: 8)),
        det("operators are lowercase words", Sec.r("Condition"), """
        a:
            A: 1
        b:
            B: 1
        condition: a AND b
        """, [["A": 1, "B": 1]], .error("'AND'", line: 10),
            note: "The spec writes the operators in lowercase; pySigma's grammar accepts only lowercase (REFERENCE §2.3)."),
        det("an empty condition", Sec.r("Condition"), """
        selection:
            A: 1
        condition: ''
        """, [["A": 1]], .error("empty")),
        det("a wildcard identifier outside of 'x of'", Sec.r("Condition"), """
        sel1:
            A: 1
        condition: sel*
        """, [["A": 1]], .error("'1 of'")),
        det("an 'of' pattern with '-'", Sec.r("Condition"), """
        sel-1:
            A: 1
        condition: 1 of sel-*
        """, [["A": 1]], .error("'-'"),
            note: "pySigma's selector pattern is [A-Za-z0-9*_]+ (REFERENCE §2.3)."),
        det("no condition", Sec.r("Condition"), """
        selection:
            A: 1
        """, [["A": 1]], .error("no 'condition'", line: 6)),
        det("an empty value list", Sec.r("Lists"), """
        selection:
            A: []
        condition: selection
        """, [["A": 1]], .error("empty list", line: 7)),
        det("null mixed into a value list", Sec.r("Special Field Values"), """
        selection:
            A:
                - 'x'
                - null
        condition: selection
        """, [["A": "x"]], .rejected("'null'", line: 7),
            note: "REFERENCE §2.3: null must stand alone in its item."),
        det("a search mixing maps and plain values", Sec.r("Lists"), """
        selection:
            - A: 1
            - 'keyword'
        condition: selection
        """, [["A": 1]], .error("mixes maps")),
        det("an unknown modifier", Sec.r("Value Modifiers"), """
        selection:
            A|containz: 'x'
        condition: selection
        """, [["A": "x"]], .unsupported("unknown modifier 'containz'", line: 7),
            note: "Reported as unsupported (a newer spec may define it), with its location."),
        det("exists takes a boolean", Sec.m("exists"), """
        selection:
            A|exists: maybe
        condition: selection
        """, [["A": "x"]], .rejected("'exists'", line: 7)),
        det("cidr takes a network", Sec.m("cidr"), """
        selection:
            A|cidr: 'not-a-network'
        condition: selection
        """, [["A": "x"]], .rejected("network", line: 7)),
        det("gt takes a number", Sec.m("gt"), """
        selection:
            A|gt: 'ten'
        condition: selection
        """, [["A": 11]], .rejected("needs a number", line: 7)),
        det("a regular expression that does not compile", Sec.m("re"), """
        selection:
            A|re: '(unclosed'
        condition: selection
        """, [["A": "x"]], .rejected("regular expression", line: 7)),
        det("i without re", Sec.m("re: i"), """
        selection:
            A|i: 'x'
        condition: selection
        """, [["A": "x"]], .rejected("sub-modifier", line: 7)),
        det("base64 of a value with a wildcard", Sec.m("base64"), """
        selection:
            A|base64: 'who*'
        condition: selection
        """, [["A": "x"]], .rejected("wildcards", line: 7),
            note: "REFERENCE §2.3: wildcards are not allowed inside base64 values."),
        det("v1 timeframe in a detection", Sec.c("Expression of Relationships In The Condition of Sigma Rules"), """
        selection:
            A: 1
        timeframe: 5m
        condition: selection
        """, [["A": 1]], .unsupported("timeframe")),
        doc("YAML that does not parse", Sec.r("General"), """
        title: broken
        logsource:
            category: test
        detection:
            selection:
                A: 'unclosed
            condition: selection
        """, [["A": 1]], .error("YAML")),
        doc("a rule without a title", Sec.r("Title"), """
        logsource:
            category: test
        detection:
            selection:
                A: 1
            condition: selection
        """, [["A": 1]], .error("no 'title'", line: 1, column: 1)),
        doc("a rule without a logsource", Sec.r("Log source"), """
        title: no logsource
        detection:
            selection:
                A: 1
            condition: selection
        """, [["A": 1]], .error("no 'logsource'")),
        doc("a document with neither detection, correlation nor filter", Sec.r("Detection"), """
        title: nothing
        logsource:
            category: test
        """, [["A": 1]], .error("neither")),
        doc("a document that is not a mapping", Sec.r("General"), """
        - a
        - b
        """, [["A": 1]], .error("mapping")),
        doc("a broken document does not stop the next one", Sec.r("General"), """
        title: broken
        logsource:
            category: test
        detection:
            selection:
                A: 1
            condition: selection and nosuch
        ---
        title: fine
        logsource:
            category: test
        detection:
            selection:
                A: 1
            condition: selection
        """, [["A": 1], ["A": 2]], .error("'nosuch'", line: 7, then: ["fine": [0]])),
    ]
}
