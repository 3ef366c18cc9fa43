import Testing
@testable import SpoorParsers

/// Property names for Get-WinEvent exports, chosen by the number of values.
@Suite struct GetWinEventNamesTests {
    @Test func sysmonNamesFollowTheSchemaVersionTheValueCountGives() {
        let v8 = GetWinEventNames.names(provider: "Microsoft-Windows-Sysmon", eventID: 11, count: 8)
        let v6 = GetWinEventNames.names(provider: "Microsoft-Windows-Sysmon", eventID: 11, count: 6)
        #expect(v8.first == "RuleName" && v8.last == "User" && v8.contains("TargetFilename"))
        #expect(v6 == ["UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime"])
        // An unknown version gets no names (param1…), never wrong ones.
        #expect(GetWinEventNames.names(provider: "Microsoft-Windows-Sysmon", eventID: 11, count: 7).isEmpty)
        #expect(GetWinEventNames.names(provider: "Microsoft-Windows-Sysmon", eventID: 10, count: 13).contains("CallTrace"))
    }

    @Test func securityTemplatesOnlyAppendSoALongerRecordKeepsTheKnownPrefix() {
        let n27 = GetWinEventNames.names(provider: "Microsoft-Windows-Security-Auditing", eventID: 4624, count: 27)
        #expect(n27.last == "ElevatedToken")
        let n29 = GetWinEventNames.names(provider: "Microsoft-Windows-Security-Auditing", eventID: 4624, count: 29)
        #expect(n29 == n27)
        #expect(GetWinEventNames.names(provider: "Microsoft-Windows-Security-Auditing", eventID: 4776, count: 4)
                == ["PackageName", "TargetUserName", "Workstation", "Status"])
        #expect(GetWinEventNames.names(provider: "Service Control Manager", eventID: 7045, count: 5).first == "ServiceName")
    }
}
