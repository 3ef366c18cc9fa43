import Foundation
import SpoorCore
import SpoorEvents
import SpoorIngest

/// Batches that exercise every kind, nulls and awkward bytes, shared by the store and export tests.
enum SampleBatches {
    /// `f` `0xFF 0xFE` `o`: not UTF-8.
    static let invalidBytes: [UInt8] = [0x66, 0xFF, 0xFE, 0x6F]
    /// A valid private-use character from the ByteText escape range, plus control characters.
    static let awkwardText = "tab\there \"quoted\" back\\slash nl\n cr\r bell\u{07} del\u{7F} pua\u{EF80} emoji 🦊"

    /// Three rows over every kind: full, sparse, and one with odd provenance.
    static func allKinds() -> EventBatch {
        var b = EventBatchBuilder()
        let ts = b.column(Field.timestamp, .timestamp)
        let tz = b.column(Field.eventTimezone, .string)
        let path = b.column(Field.logFilePath, .string)
        let offset = b.column(Field.logOffset, .int)
        let record = b.column(Field.spoorRecord, .int)
        let parser = b.column(Field.spoorParser, .string)
        let org = b.column(Field.organizationID, .string)
        let srcIP = b.column(Field.sourceIP, .ip)
        let dstIP = b.column(Field.destinationIP, .ip)
        let port = b.column(Field.sourcePort, .int)
        let duration = b.column("zeek.duration", .double)
        let established = b.column(Field.tlsEstablished, .bool)
        let related = b.column(Field.relatedIP, .stringList)
        let message = b.column(Field.message, .string)
        let created = b.column("event.created", .timestamp)
        let quoted = b.column("json.we\"ird key", .string)

        b.beginRow()
        b.set(ts, timestamp: Timestamp(microseconds: 1_700_000_000_123_456))
        b.set(tz, string: "+02:00")
        b.set(path, string: "/var/log/auth.log")
        b.set(offset, int: 0)
        b.set(record, int: 1)
        b.set(parser, string: "syslog")
        b.set(org, string: "acme")
        b.set(srcIP, ip: IPAddress("10.0.0.1")!)
        b.set(dstIP, ip: IPAddress("2001:db8::1")!)
        b.set(port, int: 22)
        b.set(duration, double: 1.5)
        b.set(established, bool: true)
        b.beginList(related)
        b.appendToList(related, bytes: Array("10.0.0.1".utf8).span)
        b.appendToList(related, bytes: invalidBytes.span)
        b.set(message, bytes: invalidBytes.span)
        b.set(created, timestamp: Timestamp(microseconds: 1))
        b.set(quoted, string: "=cmd|' /C calc'!A0")
        b.endRow()

        b.beginRow()
        b.set(ts, timestamp: Timestamp(microseconds: -1_234_567)) // before 1970
        b.set(path, string: "/var/log/auth.log")
        b.set(offset, int: 97)
        b.set(record, int: 2)
        b.set(port, int: -1)
        b.set(duration, double: .infinity)
        b.set(established, bool: false)
        b.beginList(related) // an empty list is not null
        b.set(message, string: awkwardText)
        b.set(dstIP, ip: IPAddress("fe80::1:2")!)
        b.endRow()

        b.beginRow()
        b.set(path, bytes: [0x2F, 0x74, 0xE9, 0x2E, 0x6C, 0x6F, 0x67].span) // "/té.log" in Latin-1
        b.set(parser, string: "json\\odd")
        b.set(org, bytes: invalidBytes.span)
        b.set(duration, double: 1e-300)
        b.set(port, int: Int64.max)
        b.set(message, string: "")
        b.set(tz, string: "-05:30")
        b.endRow()
        return b.finish()
    }

    /// `n` synthetic events of about fifteen fields, like a parsed sshd or firewall log.
    static func synthetic(_ n: Int, file: String = "/var/log/synthetic.log") -> EventBatch {
        var b = EventBatchBuilder(symbolCapacity: 1 << 16)
        let ts = b.column(Field.timestamp, .timestamp)
        let path = b.column(Field.logFilePath, .string)
        let offset = b.column(Field.logOffset, .int)
        let record = b.column(Field.spoorRecord, .int)
        let parser = b.column(Field.spoorParser, .string)
        let org = b.column(Field.organizationID, .string)
        let host = b.column(Field.hostName, .string)
        let user = b.column(Field.userName, .string)
        let srcIP = b.column(Field.sourceIP, .ip)
        let srcPort = b.column(Field.sourcePort, .int)
        let dstIP = b.column(Field.destinationIP, .ip)
        let dstPort = b.column(Field.destinationPort, .int)
        let outcome = b.column(Field.eventOutcome, .string)
        let message = b.column(Field.message, .string)
        let bytes = b.column(Field.sourceBytes, .int)
        let process = b.column(Field.processName, .string)
        let users = ["root", "admin", "alice", "bob", "oracle", "test", "guest", "ubuntu"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return state >> 17 }
        var position: Int64 = 0
        for r in 0..<n {
            let x = next()
            let u = users[Int(x % UInt64(users.count))]
            b.beginRow()
            b.set(ts, timestamp: Timestamp(microseconds: 1_700_000_000_000_000 + Int64(r) * 1_000_003))
            b.set(path, string: file)
            b.set(offset, int: position)
            b.set(record, int: Int64(r + 1))
            b.set(parser, string: "syslog")
            b.set(org, string: "acme")
            b.set(host, string: "host-\(x % 50)")
            b.set(user, string: u)
            b.set(srcIP, ip: IPAddress(ipv4: UInt32(truncatingIfNeeded: x >> 8)))
            b.set(srcPort, int: Int64(1024 + x % 60000))
            b.set(dstIP, ip: IPAddress(ipv4: 0x0A00_0001 + UInt32(x % 16)))
            b.set(dstPort, int: 22)
            b.set(outcome, string: x % 7 == 0 ? "success" : "failure")
            b.set(message, string: "Failed password for \(u) from port \(1024 + x % 60000) ssh2")
            b.set(bytes, int: Int64(x % 100_000))
            b.set(process, string: "sshd")
            b.endRow()
            position += 96
        }
        return b.finish()
    }

    static func ledger(_ path: String = "/var/log/auth.log", fingerprint: UInt64 = 0xF00D_FACE_DEAD_BEEF,
                       offset: Int64 = 0, records: Int64 = 0, events: Int64 = 0) -> LedgerEntry {
        LedgerEntry(path: path, fingerprint: fingerprint, committedDigest: 0x0123_4567_89AB_CDEF, committedOffset: offset,
                    committedRecords: records, events: events, rejects: 0, format: "syslog", isComplete: false)
    }

    /// A fresh directory under the temporary directory.
    static func temporaryDirectory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-store-tests-\(UUID().uuidString)")
        return dir.path
    }
}
