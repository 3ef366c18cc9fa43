import Foundation
import Testing
import SpoorCore
import SpoorEvents
@testable import SpoorDetectors

/// Events as a domain, a Sysmon sensor and a network sensor write them, for the address book.
private struct HostEvents {
    var builder = EventBatchBuilder()
    let base = CivilTime(year: 2024, month: 3, day: 4, hour: 8).utcMicroseconds

    /// One event at `hour` (and `minute`) after the base.
    mutating func add(hour: Int, minute: Int = 0, host: String? = nil, user: String? = nil, outcome: String? = nil,
                      category: String? = nil, source: String? = nil, sourceDomain: String? = nil,
                      destination: String? = nil, destinationDomain: String? = nil, org: String = "acme") {
        builder.beginRow()
        builder.set(builder.column(Field.timestamp, .timestamp), timestamp: Timestamp(microseconds: base + Int64(hour * 60 + minute) * 60_000_000))
        builder.set(builder.column(Field.organizationID, .string), string: org)
        if let category {
            let c = builder.column(Field.eventCategory, .stringList)
            builder.beginList(c)
            builder.appendToList(c, text: category)
        }
        if let host { builder.set(builder.column(Field.hostName, .string), string: host) }
        if let user { builder.set(builder.column(Field.userName, .string), string: user) }
        if let outcome { builder.set(builder.column(Field.eventOutcome, .string), string: outcome) }
        if let source, let ip = IPAddress(source) { builder.set(builder.column(Field.sourceIP, .ip), ip: ip) }
        if let sourceDomain { builder.set(builder.column(Field.sourceDomain, .string), string: sourceDomain) }
        if let destination, let ip = IPAddress(destination) { builder.set(builder.column(Field.destinationIP, .ip), ip: ip) }
        if let destinationDomain { builder.set(builder.column(Field.destinationDomain, .string), string: destinationDomain) }
        builder.endRow()
    }

    /// A Zeek connection from `source` (no host name).
    mutating func conn(hour: Int, minute: Int = 0, from source: String, to destination: String = "203.0.113.50", org: String = "acme") {
        add(hour: hour, minute: minute, category: "network", source: source, destination: destination, org: org)
    }
}

@Suite struct HostAddressBookTests {
    static func at(_ base: Int64, hour: Int) -> Int64 { base + Int64(hour) * 3_600_000_000 }

    @Test func machineAccountsAndSysmonBindAddressesToTheirHosts() throws {
        var e = HostEvents()
        // The workstation's own events, by name.
        e.add(hour: 0, host: "ACME-WS105.acme-corp.net", category: "process")
        e.add(hour: 0, host: "acme-fs01.acme-corp.net", category: "process")
        e.add(hour: 0, host: "web01", category: "authentication")
        // The DC logs the workstation's machine account asking for a ticket from 10.10.2.25.
        e.add(hour: 1, host: "acme-dc01.acme-corp.net", user: "ACME-WS105$@ACME-CORP.NET", outcome: "success",
              category: "authentication", source: "10.10.2.25")
        // Sysmon 3 on the file server names its own address.
        e.add(hour: 1, host: "acme-fs01.acme-corp.net", category: "network", source: "10.10.1.12",
              sourceDomain: "acme-fs01.acme-corp.net", destination: "10.10.2.25", destinationDomain: "-")
        // A failed machine-account logon binds nothing; a person's account binds nothing.
        e.add(hour: 1, host: "acme-dc01.acme-corp.net", user: "ACME-WS106$", outcome: "failure", category: "authentication", source: "10.10.2.26")
        e.add(hour: 1, host: "acme-dc01.acme-corp.net", user: "simon.roth", outcome: "success", category: "authentication", source: "10.10.2.27")
        // A machine account of a computer that writes no events of its own: nothing to join.
        e.add(hour: 1, host: "acme-dc01.acme-corp.net", user: "PRINTSRV$", outcome: "success", category: "authentication", source: "10.10.1.40")
        let batch = e.builder.finish()
        var book = HostAddressBook()
        book.observe(batch)
        book.finish()
        let t = Self.at(e.base, hour: 3)
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.2.25")), at: t) == "acme-ws105.acme-corp.net")
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.1.12")), at: t) == "acme-fs01.acme-corp.net")
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.2.26")), at: t) == nil)
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.2.27")), at: t) == nil)
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.1.40")), at: t) == nil)
        // Another organisation's 10.10.2.25 is another machine.
        #expect(book.host(organization: "globex", address: try #require(IPAddress("10.10.2.25")), at: t) == nil)
        #expect(book.boundAddresses == 2)
        // A binding holds 24 hours around its sightings, not forever (leases change hands).
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.2.25")), at: Self.at(e.base, hour: 24)) != nil)
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.2.25")), at: Self.at(e.base, hour: 26)) == nil)
    }

    @Test func anAddressTwoHostsHeldAtOnceStaysUnresolved() throws {
        var e = HostEvents()
        e.add(hour: 0, host: "acme-ws101.acme-corp.net", category: "process")
        e.add(hour: 0, host: "acme-ws102.acme-corp.net", category: "process")
        // A lease that passed from ws101 to ws102 on day 2, and a NAT address both use on day 1.
        e.add(hour: 1, host: "acme-dc01", user: "ACME-WS101$", outcome: "success", category: "authentication", source: "10.10.2.30")
        e.add(hour: 2, host: "acme-dc01", user: "ACME-WS101$", outcome: "success", category: "authentication", source: "10.10.2.30")
        e.add(hour: 40, host: "acme-dc01", user: "ACME-WS102$", outcome: "success", category: "authentication", source: "10.10.2.30")
        e.add(hour: 3, host: "acme-dc01", user: "ACME-WS101$", outcome: "success", category: "authentication", source: "10.10.9.1")
        e.add(hour: 4, host: "acme-dc01", user: "ACME-WS102$", outcome: "success", category: "authentication", source: "10.10.9.1")
        var book = HostAddressBook()
        book.observe(e.builder.finish())
        book.finish()
        let lease = try #require(IPAddress("10.10.2.30")), nat = try #require(IPAddress("10.10.9.1"))
        #expect(book.host(organization: "acme", address: lease, at: Self.at(e.base, hour: 2)) == "acme-ws101.acme-corp.net")
        #expect(book.host(organization: "acme", address: lease, at: Self.at(e.base, hour: 41)) == "acme-ws102.acme-corp.net")
        #expect(book.host(organization: "acme", address: lease, at: Self.at(e.base, hour: 20)) == nil, "both bindings hold then")
        #expect(book.host(organization: "acme", address: nat, at: Self.at(e.base, hour: 3)) == nil)
    }

    @Test func aHostsOwnStreamOfBindingsOutweighsAStrayOne() throws {
        var e = HostEvents()
        e.add(hour: 0, host: "acme-ws117.acme-corp.net", category: "process")
        e.add(hour: 0, host: "acme-dc01.acme-corp.net", category: "process")
        // The workstation's Sysmon names it eight times; one logon event at the DC names the DC
        // itself as the client of 10.10.2.37.
        for k in 0..<8 {
            e.add(hour: k, host: "acme-ws117.acme-corp.net", category: "network", source: "10.10.2.37", sourceDomain: "acme-ws117.acme-corp.net")
        }
        e.add(hour: 4, host: "acme-dc01.acme-corp.net", category: "authentication", source: "10.10.2.37", sourceDomain: "ACME-DC01")
        var book = HostAddressBook()
        book.observe(e.builder.finish())
        book.finish()
        #expect(book.host(organization: "acme", address: try #require(IPAddress("10.10.2.37")), at: Self.at(e.base, hour: 4)) == "acme-ws117.acme-corp.net")
    }

    @Test func hostHourUnitsJoinAHostsNameAndAddress() throws {
        var e = HostEvents()
        e.add(hour: 0, minute: 5, host: "acme-ws105.acme-corp.net", category: "process")
        e.add(hour: 0, minute: 6, host: "acme-dc01.acme-corp.net", user: "ACME-WS105$", outcome: "success", category: "authentication", source: "10.10.2.25")
        e.conn(hour: 0, minute: 7, from: "10.10.2.25")
        e.conn(hour: 0, minute: 8, from: "10.10.2.99")           // never bound
        e.add(hour: 0, minute: 9, category: "network", source: "198.51.100.7", destination: "203.0.113.50")
        let batch = e.builder.finish()
        var book = HostAddressBook()
        book.observe(batch)
        book.finish()
        var joined = UnitFeatureBuilder(kind: .hostHour, addressBook: book)
        let rows = joined.observe(batch)
        #expect(rows[0] == rows[2], "the workstation's connection is in the unit of its name")
        #expect(Set(joined.keys.map(\.entity)) == ["acme-ws105.acme-corp.net", "acme-dc01.acme-corp.net", "10.10.2.99", "198.51.100.7"])
        var apart = UnitFeatureBuilder(kind: .hostHour)
        let before = apart.observe(batch)
        #expect(before[0] != before[2])
        #expect(apart.keys.map(\.entity).contains("10.10.2.25"))
    }

    @Test func namesAndMachineAccountsAreReadAsTheirFirstLabel() {
        #expect(HostAddressBook.firstLabel(ArraySlice("ACME-WS105.acme-corp.net".utf8)) == "acme-ws105")
        #expect(HostAddressBook.firstLabel(ArraySlice("web01".utf8)) == "web01")
        #expect(HostAddressBook.firstLabel(ArraySlice("-".utf8)) == nil)
        #expect(HostAddressBook.firstLabel(ArraySlice("10.10.2.25".utf8)) == nil)
        #expect(HostAddressBook.firstLabel(ArraySlice("localhost".utf8)) == nil)
        #expect(HostAddressBook.machineAccount(ArraySlice("ACME-WS105$@ACME-CORP.NET".utf8)) == "acme-ws105")
        #expect(HostAddressBook.machineAccount(ArraySlice("ACME\\ACME-WS105$".utf8)) == "acme-ws105")
        #expect(HostAddressBook.machineAccount(ArraySlice("simon.roth".utf8)) == nil)
        #expect(HostAddressBook.machineAccount(ArraySlice("$".utf8)) == nil)
    }
}
