enum WindowsScenarios {
    static let all: [ScenarioEntry] = []
}
