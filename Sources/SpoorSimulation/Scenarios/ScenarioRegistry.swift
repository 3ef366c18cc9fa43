/// Every attack scenario, by the source family that writes most of its traces. Each family
/// lists its scenarios in its own file (`WindowsScenarios.all`, …).
let registered: [ScenarioEntry] = WindowsScenarios.all + NetworkScenarios.all + LinuxScenarios.all

/// Every benign activity generator.
let registeredActivities: [ActivityEntry] = WindowsActivity.all + NetworkActivity.all + LinuxActivity.all
