import Testing
import SpoorCore
@testable import SpoorParsers

/// Sysmon's `Hashes` split from the bytes (the direct EVTX path) against the split by Characters
/// (what a String value goes through): the same algorithms and digests for any ASCII text.
@Suite struct SysmonHashesTests {
    static func bytesSplit(_ s: String) -> [(Int, String)] {
        let bytes = Array(s.utf8)
        var parts: [(Int, String)] = []
        WindowsTargetWriter.hashParts(bytes, 0..<bytes.count) { k, digest in
            var d: [UInt8] = []
            for i in digest.indices { d.append(digest[i]) }
            parts.append((k, String(decoding: d, as: UTF8.self)))
        }
        return parts
    }

    @Test func realValuesSplitAsSysmonWritesThem() {
        let value = "SHA1=2B3A7B7F6E1D0C9A8B7C6D5E4F3A2B1C0D9E8F7A,MD5=0123456789ABCDEF0123456789ABCDEF,SHA256=AA" +
            String(repeating: "0", count: 62) + ",IMPHASH=00112233445566778899AABBCCDDEEFF"
        let parts = Self.bytesSplit(value)
        #expect(parts.map(\.0) == [1, 0, 2, 4])
        #expect(parts[0].1 == "2b3a7b7f6e1d0c9a8b7c6d5e4f3a2b1c0d9e8f7a")
        #expect(parts[2].1 == "aa" + String(repeating: "0", count: 62))
        #expect(parts.map(\.0) == WindowsTargetWriter.hashParts(characters: value).map(\.0))
        // Names in any case, empty parts, parts without `=` or a digest, unknown names.
        let odd = ",,md5=AbC,Sha256=,=x,SHA1,sha1=F=F,CRC32=1,imphash==,SHA512=Z,"
        #expect(Self.bytesSplit(odd).map { "\($0.0):\($0.1)" } == ["0:abc", "1:f=f", "4:=", "3:z"])
    }

    @Test func randomASCIISplitsAsCharactersDo() {
        var rng = SplitMix64(seed: 20261130)
        let pieces = ["MD5", "md5", "SHA1", "Sha1", "SHA256", "sha512", "IMPHASH", "ImpHash", "SHA", "MD", "=", "=", ",", ",",
                      "a", "F", "0", "9", " ", "\r\n", "\t", "z", "SHA2561"]
        for _ in 0..<2000 {
            var s = ""
            for _ in 0..<Int(rng.next() % 12) { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let bytes = Self.bytesSplit(s)
            let characters = WindowsTargetWriter.hashParts(characters: s)
            #expect(bytes.map(\.0) == characters.map(\.0), "\(s.debugDescription)")
            #expect(bytes.map(\.1) == characters.map(\.1), "\(s.debugDescription)")
        }
    }
}
