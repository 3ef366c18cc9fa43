import Foundation

// Conformance cases: correlation rules (Sigma Correlation Rules specification v2.0.x; the v2.1
// types value_sum, value_avg, value_percentile as in the specification's schema tests and
// REFERENCE §2.3). SigmaHQ ships no correlation rules, so these cases are the test.
//
// Reporting (a choice the spec leaves to the tool, REFERENCE §2.3): windows slide with the events;
// for lower bounds a hit is reported as soon as the condition holds, with the events of the window
// so far, and the next window starts after them. Hit rows are listed in time order.

/// `2024-01-01T00:00:00Z` plus `seconds`.
private func t(_ seconds: Int) -> CV {
    .s(String(format: "2024-01-01T%02d:%02d:%02dZ", seconds / 3600, seconds / 60 % 60, seconds % 60))
}

/// A base rule matching `Action: <action>`.
private func base(_ title: String, name: String, id: String? = nil, action: String) -> String {
    """
    title: \(title)
    id: \(id ?? UUIDs.make(title))
    name: \(name)
    logsource:
        category: test
    detection:
        selection:
            Action: \(action)
        condition: selection
    """
}

private enum UUIDs {
    /// A stable id per title (the loader wants none in particular; names are what correlations use here).
    static func make(_ title: String) -> String {
        var h: UInt64 = 1469598103934665603
        for b in title.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        let hex = String(h, radix: 16).padding(toLength: 16, withPad: "0", startingAt: 0)
        let a = Array(hex)
        return "\(String(a[0..<8]))-\(String(a[8..<12]))-4\(String(a[13..<16]))-8000-000000000000"
    }
}

private func file(_ docs: String...) -> String { docs.joined(separator: "\n---\n") }

private func ev(_ action: String, _ seconds: Int, _ fields: Ev = [:]) -> Ev {
    var e: Ev = ["Action": .s(action), "@timestamp": t(seconds)]
    for (k, v) in fields { e[k] = v }
    return e
}

private let failed = base("failed logon", name: "failed_logon", action: "fail")
private let success = base("successful logon", name: "successful_logon", action: "success")

extension ConformanceCase {
    static let correlations: [ConformanceCase] = eventCount + valueAndTemporal + chains

    static let eventCount: [ConformanceCase] = [
        doc("event_count per group", Sec.c("Event Count (event_count)"), file(failed, """
        title: brute force
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 3
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 60, ["User": "bob"]), ev("fail", 0, ["User": "eve"]),
               ev("fail", 120, ["User": "bob"]), ev("fail", 180, ["User": "bob"]), ev("other", 130, ["User": "bob"])],
            .hits(["brute force": [Hit(group: ["bob"], rows: [0, 1, 3])]])),
        doc("event_count: just inside the timespan (minutes)", Sec.c("Time Selection"), file(failed, """
        title: pair
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 299, ["User": "bob"]), ev("fail", 0, ["User": "eve"]), ev("fail", 301, ["User": "eve"])],
            .hits(["pair": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("event_count: timespan in seconds", Sec.c("Time Selection"), file(failed, """
        title: pair
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 30s
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 29, ["User": "bob"]), ev("fail", 0, ["User": "eve"]), ev("fail", 31, ["User": "eve"])],
            .hits(["pair": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("event_count: timespan in hours", Sec.c("Time Selection"), file(failed, """
        title: pair
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 1h
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 3599, ["User": "bob"]), ev("fail", 0, ["User": "eve"]), ev("fail", 3601, ["User": "eve"])],
            .hits(["pair": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("event_count: timespan in days", Sec.c("Time Selection"), file(failed, """
        title: pair
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 1d
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 86_399, ["User": "bob"]), ev("fail", 3600, ["User": "eve"])],
            .hits(["pair": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("event_count gt is strict", Sec.c("Condition"), file(failed, """
        title: more than two
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gt: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 10, ["User": "bob"]),
               ev("fail", 0, ["User": "eve"]), ev("fail", 10, ["User": "eve"]), ev("fail", 20, ["User": "eve"])],
            .hits(["more than two": [Hit(group: ["eve"], rows: [2, 3, 4])]])),
        doc("event_count eq", Sec.c("Condition"), file(failed, """
        title: exactly two
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                eq: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 10, ["User": "bob"]), ev("fail", 0, ["User": "eve"])],
            .hits(["exactly two": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("event_count range: gt and lte together", Sec.c("Condition"), file(failed, """
        title: two
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gt: 1
                lte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 10, ["User": "bob"]), ev("fail", 0, ["User": "eve"])],
            .hits(["two": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("group-by with several fields is AND", Sec.c("Grouping"), file(failed, """
        title: per user and host
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by:
                - User
                - Host
            timespan: 5m
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob", "Host": "h1"]), ev("fail", 10, ["User": "bob", "Host": "h2"]), ev("fail", 20, ["User": "bob", "Host": "h1"])],
            .hits(["per user and host": [Hit(group: ["bob", "h1"], rows: [0, 2])]])),
        doc("without group-by every event is one group", Sec.c("Grouping"), file(failed, """
        title: any three
        correlation:
            type: event_count
            rules: [failed_logon]
            timespan: 5m
            condition:
                gte: 3
        """), [ev("fail", 0, ["User": "a"]), ev("fail", 10, ["User": "b"]), ev("fail", 20, ["User": "c"])],
            .hits(["any three": [Hit(group: [], rows: [0, 1, 2])]]),
            note: "The spec says group-by is mandatory but 'optionally defines' fields; spoor: no group-by is one group."),
        doc("event_count over several rules", Sec.c("Related rules"), file(failed, success, """
        title: logon activity
        correlation:
            type: event_count
            rules:
                - failed_logon
                - successful_logon
            group-by: [User]
            timespan: 5m
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("success", 10, ["User": "bob"]), ev("other", 20, ["User": "bob"])],
            .hits(["logon activity": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("events arrive out of time order", Sec.c("Event Count (event_count)"), file(failed, """
        title: brute force
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 3
        """), [ev("fail", 120, ["User": "bob"]), ev("fail", 0, ["User": "bob"]), ev("fail", 60, ["User": "bob"])],
            .hits(["brute force": [Hit(group: ["bob"], rows: [1, 2, 0])]])),
        doc("two separate bursts give two hits", Sec.c("Event Count (event_count)"), file(failed, """
        title: brute force
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 60, ["User": "bob"]), ev("fail", 1200, ["User": "bob"]), ev("fail", 1260, ["User": "bob"])],
            .hits(["brute force": [Hit(group: ["bob"], rows: [0, 1]), Hit(group: ["bob"], rows: [2, 3])]])),
        doc("a rule referenced by its id", Sec.c("Related rules"), file(
            base("failed by id", name: "unused_name", id: "5638f7c0-ac70-491d-8465-2a65075e0d86", action: "fail"), """
        title: by id
        correlation:
            type: event_count
            rules:
                - 5638f7c0-ac70-491d-8465-2a65075e0d86
            group-by: [User]
            timespan: 5m
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"]), ev("fail", 10, ["User": "bob"])],
            .hits(["by id": [Hit(group: ["bob"], rows: [0, 1])]])),
        doc("a reference to no loaded rule", Sec.c("Related rules"), file(failed, """
        title: dangling
        correlation:
            type: event_count
            rules: [no_such_rule]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 2
        """), [ev("fail", 0, ["User": "bob"])],
            .correlationProblem("no_such_rule")),
    ]

    static let valueAndTemporal: [ConformanceCase] = [
        doc("value_count: distinct values of a field", Sec.c("Value Count (value_count)"), file(failed, """
        title: password spray
        correlation:
            type: value_count
            rules: [failed_logon]
            group-by: [Host]
            timespan: 1h
            condition:
                field: User
                gte: 3
        """), [ev("fail", 0, ["Host": "h1", "User": "a"]), ev("fail", 10, ["Host": "h1", "User": "b"]), ev("fail", 20, ["Host": "h1", "User": "a"]),
               ev("fail", 30, ["Host": "h1", "User": "c"]), ev("fail", 0, ["Host": "h2", "User": "a"]), ev("fail", 10, ["Host": "h2", "User": "a"]),
               ev("fail", 20, ["Host": "h2", "User": "a"])],
            .hits(["password spray": [Hit(group: ["h1"], rows: [0, 1, 2, 3])]])),
        doc("value_count outside the timespan", Sec.c("Value Count (value_count)"), file(failed, """
        title: password spray
        correlation:
            type: value_count
            rules: [failed_logon]
            group-by: [Host]
            timespan: 1m
            condition:
                field: User
                gte: 2
        """), [ev("fail", 0, ["Host": "h1", "User": "a"]), ev("fail", 120, ["Host": "h1", "User": "b"])],
            .hits(["password spray": []])),
        doc("temporal: every rule within the timespan, any order", Sec.c("Temporal Proximity (temporal)"), file(
            base("recon a", name: "recon_cmd_a", action: "a"), base("recon b", name: "recon_cmd_b", action: "b"),
            base("recon c", name: "recon_cmd_c", action: "c"), """
        title: recon
        correlation:
            type: temporal
            rules:
                - recon_cmd_a
                - recon_cmd_b
                - recon_cmd_c
            group-by:
                - ComputerName
                - User
            timespan: 5m
        """), [ev("a", 0, ["ComputerName": "pc", "User": "bob"]), ev("c", 60, ["ComputerName": "pc", "User": "bob"]),
               ev("a", 0, ["ComputerName": "pc", "User": "eve"]), ev("b", 120, ["ComputerName": "pc", "User": "bob"]),
               ev("b", 10, ["ComputerName": "pc", "User": "eve"])],
            .hits(["recon": [Hit(group: ["pc", "bob"], rows: [0, 1, 3])]])),
        doc("temporal: a rule seen outside the timespan does not count", Sec.c("Temporal Proximity (temporal)"), file(
            base("recon a", name: "recon_cmd_a", action: "a"), base("recon b", name: "recon_cmd_b", action: "b"), """
        title: recon
        correlation:
            type: temporal
            rules: [recon_cmd_a, recon_cmd_b]
            group-by: [User]
            timespan: 5m
        """), [ev("a", 0, ["User": "bob"]), ev("b", 600, ["User": "bob"])],
            .hits(["recon": []])),
        doc("temporal: a rule seen twice counts once", Sec.c("Temporal Proximity (temporal)"), file(
            base("recon a", name: "recon_cmd_a", action: "a"), base("recon b", name: "recon_cmd_b", action: "b"), """
        title: recon
        correlation:
            type: temporal
            rules: [recon_cmd_a, recon_cmd_b]
            group-by: [User]
            timespan: 5m
        """), [ev("a", 0, ["User": "bob"]), ev("a", 10, ["User": "bob"]), ev("a", 0, ["User": "eve"]), ev("a", 5, ["User": "eve"]), ev("b", 20, ["User": "bob"])],
            .hits(["recon": [Hit(group: ["bob"], rows: [0, 1, 4])]])),
        doc("temporal with a condition: that many of the rules", Sec.c("Condition"), file(
            base("recon a", name: "recon_cmd_a", action: "a"), base("recon b", name: "recon_cmd_b", action: "b"),
            base("recon c", name: "recon_cmd_c", action: "c"), """
        title: two of three
        correlation:
            type: temporal
            rules: [recon_cmd_a, recon_cmd_b, recon_cmd_c]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 2
        """), [ev("c", 0, ["User": "bob"]), ev("a", 10, ["User": "bob"]), ev("a", 0, ["User": "eve"]), ev("a", 10, ["User": "eve"])],
            .hits(["two of three": [Hit(group: ["bob"], rows: [0, 1])]]),
            note: "'For a temporal … correlation it specifies the count of different event types (Sigma rules matching)'."),
        doc("temporal_ordered: in the listed order", Sec.c("Ordered Temporal Proximity (temporal_ordered)"), file(failed, success, """
        title: fail then success
        correlation:
            type: temporal_ordered
            rules:
                - failed_logon
                - successful_logon
            group-by: [User]
            timespan: 1h
        """), [ev("success", 0, ["User": "bob"]), ev("fail", 60, ["User": "bob"]), ev("fail", 0, ["User": "eve"]), ev("success", 60, ["User": "eve"])],
            .hits(["fail then success": [Hit(group: ["eve"], rows: [2, 3])]])),
        doc("temporal_ordered: other events in between", Sec.c("Ordered Temporal Proximity (temporal_ordered)"), file(
            base("step a", name: "a", action: "a"), base("step b", name: "b", action: "b"), base("step c", name: "c", action: "c"), """
        title: a b c
        correlation:
            type: temporal_ordered
            rules: [a, b, c]
            group-by: [User]
            timespan: 10m
        """), [ev("a", 0, ["User": "bob"]), ev("c", 10, ["User": "bob"]), ev("b", 20, ["User": "bob"]), ev("c", 30, ["User": "bob"])],
            .hits(["a b c": [Hit(group: ["bob"], rows: [0, 1, 2, 3])]])),
        doc("temporal_ordered: in order but outside the timespan", Sec.c("Ordered Temporal Proximity (temporal_ordered)"), file(failed, success, """
        title: fail then success
        correlation:
            type: temporal_ordered
            rules: [failed_logon, successful_logon]
            group-by: [User]
            timespan: 10m
        """), [ev("fail", 0, ["User": "bob"]), ev("success", 601, ["User": "bob"])],
            .hits(["fail then success": []])),
        doc("value_sum: the sum of a field", "Sigma Correlation Rules v2.1 §value_sum", file(
            base("website access", name: "website_access", action: "web"), """
        title: Possible Exfiltration to Website
        correlation:
            type: value_sum
            rules: [website_access]
            group-by: [SourceIP]
            timespan: 1h
            condition:
                field: bytes_sent
                gt: 1000
        """), [ev("web", 0, ["SourceIP": "10.0.0.1", "bytes_sent": 600]), ev("web", 60, ["SourceIP": "10.0.0.1", "bytes_sent": 500]),
               ev("web", 0, ["SourceIP": "10.0.0.2", "bytes_sent": 600])],
            .hits(["Possible Exfiltration to Website": [Hit(group: ["10.0.0.1"], rows: [0, 1])]]),
            note: "value_sum/avg/percentile come from v2.1 (specification schema tests; REFERENCE §2.3)."),
        doc("value_avg: the mean of a field", "Sigma Correlation Rules v2.1 §value_avg", file(
            base("net", name: "rule_a", action: "net"), """
        title: Suspicious average network traffic
        correlation:
            type: value_avg
            rules: [rule_a]
            group-by: [SourceIP]
            timespan: 24h
            condition:
                field: BytesOut
                gt: 500
        """), [ev("net", 0, ["SourceIP": "a", "BytesOut": 400]), ev("net", 60, ["SourceIP": "a", "BytesOut": 700]),
               ev("net", 0, ["SourceIP": "b", "BytesOut": 100]), ev("net", 60, ["SourceIP": "b", "BytesOut": "200"])],
            .hits(["Suspicious average network traffic": [Hit(group: ["a"], rows: [0, 1])]])),
        doc("value_percentile: a percentile of a field", "Sigma Correlation Rules v2.1 §value_percentile", file(
            base("req", name: "request", action: "req"), """
        title: slow requests
        correlation:
            type: value_percentile
            rules: [request]
            group-by: [Host]
            timespan: 1h
            condition:
                field: Latency
                percentile: 95
                gte: 500
        """), [ev("req", 0, ["Host": "a", "Latency": 900]), ev("req", 0, ["Host": "b", "Latency": 10])],
            .hits(["slow requests": [Hit(group: ["a"], rows: [0])]]),
            note: "Ambiguous: the spec's sample (tests/correlation/value_percentile.yml) gives only field and lte; spoor reads `percentile:` (default 95), nearest rank."),
    ]

    static let chains: [ConformanceCase] = [
        doc("chained correlations (the spec's example)", Sec.c("Examples: Failed Logins Followed by Successful Login"), file("""
        title: Correlation - Multiple Failed Logins Followed by Successful Login
        id: b180ead8-d58f-40b2-ae54-c8940995b9b6
        correlation:
            type: temporal_ordered
            rules:
                - multiple_failed_login
                - successful_login
            group-by:
                - User
            timespan: 10m
        level: high
        """, """
        title: Multiple failed logons
        id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
        name: multiple_failed_login
        correlation:
            type: event_count
            rules:
                - failed_login
            group-by:
                - User
            timespan: 10m
            condition:
                gte: 3
        """, base("Single failed login", name: "failed_login", action: "fail"),
            base("Successful login", name: "successful_login", action: "success")),
            [ev("fail", 0, ["User": "bob"]), ev("fail", 10, ["User": "bob"]), ev("fail", 20, ["User": "bob"]), ev("success", 30, ["User": "bob"]),
             ev("success", 30, ["User": "eve"]),
             ev("success", 0, ["User": "carol"]), ev("fail", 10, ["User": "carol"]), ev("fail", 20, ["User": "carol"]), ev("fail", 30, ["User": "carol"])],
            .hits(["Multiple failed logons": [Hit(group: ["bob"], rows: [0, 1, 2]), Hit(group: ["carol"], rows: [6, 7, 8])],
                   "Correlation - Multiple Failed Logins Followed by Successful Login": [Hit(group: ["bob"], rows: [2, 3])]]),
            note: "A chained hit stands in the outer window as one event at its last event (row 2 here)."),
        doc("aliases join different fields (the spec's example)", Sec.c("Field Name Aliases"), file("""
        title: internal error
        id: 3b0a9d3e-0000-4000-8000-000000000001
        name: internal_error
        logsource:
            category: test
        detection:
            selection:
                http.response.status_code: 500
            condition: selection
        """, """
        title: new network connection
        id: 3b0a9d3e-0000-4000-8000-000000000002
        name: new_network_connection
        logsource:
            category: test
        detection:
            selection:
                event.category: network
                event.type: connection
                event.outcome: success
            condition: selection
        """, """
        title: error then connection
        correlation:
            type: temporal
            rules:
                - internal_error
                - new_network_connection
            group-by:
                - internal_ip
                - remote_ip
            timespan: 10s
            aliases:
                internal_ip:
                    internal_error: destination.ip
                    new_network_connection: source.ip
                remote_ip:
                    internal_error: source.ip
                    new_network_connection: destination.ip
        """), [
            ["http.response.status_code": 500, "destination.ip": "10.0.0.5", "source.ip": "203.0.113.9", "@timestamp": t(0)],
            ["event.category": "network", "event.type": "connection", "event.outcome": "success",
             "source.ip": "10.0.0.5", "destination.ip": "203.0.113.9", "@timestamp": t(5)],
            ["event.category": "network", "event.type": "connection", "event.outcome": "success",
             "source.ip": "203.0.113.9", "destination.ip": "10.0.0.5", "@timestamp": t(6)],
        ], .hits(["error then connection": [Hit(group: ["10.0.0.5", "203.0.113.9"], rows: [0, 1])]])),
        doc("generate: false (default) hides the base rules' own matches", Sec.c("Generate"), file(failed, base("unrelated", name: "unrelated", action: "x"), """
        title: brute force
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 3
        """), [], .ownMatches(["failed logon": false, "unrelated": true])),
        doc("generate: true keeps the base rules' own matches", Sec.c("Generate"), file(failed, """
        title: brute force
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 3
        generate: true
        """), [], .ownMatches(["failed logon": true]),
            note: "The spec lists `generate` beside `level`, and its JSON schema makes it a top-level property of the document."),
        doc("generate: true inside the correlation section", Sec.c("Generate"), file(failed, """
        title: brute force
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [User]
            timespan: 5m
            condition:
                gte: 3
            generate: true
        """), [], .ownMatches(["failed logon": true]),
            note: "Ambiguous placement: pySigma-style `correlation.generate` is accepted too."),
    ]
}
