enum WindowsActivity {
    static let all: [ActivityEntry] = []
}
