enum LinuxActivity {
    static let all: [ActivityEntry] = []
}
