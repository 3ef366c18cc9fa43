import Testing
import Spoor

@Suite struct DetectorCatalogTests {
    /// `spoor detect --help` lists the detectors from the catalog: every detector has a summary
    /// and ATT&CK tags, so a new detector cannot be added without them.
    @Test func everyDetectorIsDescribedAndTagged() throws {
        #expect(Set(DetectorCatalog.names).count == DetectorCatalog.names.count)
        for name in DetectorCatalog.names {
            #expect(DetectorCatalog.summary(name).count > 20, "\(name) has no summary")
            #expect(!DetectorCatalog.tags(name).isEmpty, "\(name) has no ATT&CK tags")
        }
        #expect(DetectorCatalog.summary("no-such-detector").isEmpty)
    }
}
