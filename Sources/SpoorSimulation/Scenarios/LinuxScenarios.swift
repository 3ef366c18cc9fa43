enum LinuxScenarios {
    static let all: [ScenarioEntry] = []
}
