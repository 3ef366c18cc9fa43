enum NetworkScenarios {
    static let all: [ScenarioEntry] = []
}
