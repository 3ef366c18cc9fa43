enum NetworkActivity {
    static let all: [ActivityEntry] = []
}
