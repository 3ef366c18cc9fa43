import SpoorCore

/// ECS `event.category` values a syslog message can carry (written as a list, in this order).
struct EventCategories: OptionSet {
    let rawValue: UInt8
    static let authentication = EventCategories(rawValue: 1)
    static let session = EventCategories(rawValue: 2)
    static let process = EventCategories(rawValue: 4)
    static let iam = EventCategories(rawValue: 8)
    static let network = EventCategories(rawValue: 16)
    static let email = EventCategories(rawValue: 32)
}

/// ECS `event.type` values (written as a list, in this order).
struct EventTypes: OptionSet {
    let rawValue: UInt16
    static let start = EventTypes(rawValue: 1)
    static let end = EventTypes(rawValue: 2)
    static let info = EventTypes(rawValue: 4)
    static let creation = EventTypes(rawValue: 8)
    static let change = EventTypes(rawValue: 16)
    static let deletion = EventTypes(rawValue: 32)
    static let user = EventTypes(rawValue: 64)
    static let group = EventTypes(rawValue: 128)
    static let connection = EventTypes(rawValue: 256)
    static let denied = EventTypes(rawValue: 512)
}

/// `event.outcome`.
enum EventOutcome {
    case success, failure, unknown
}

/// What the program semantics read out of one message, as byte ranges into the message's
/// buffer and small values; written to columns by ``SyslogColumns/write(_:_:into:)``.
struct MessageFacts {
    var action: StaticString?
    var categories: EventCategories = []
    var types: EventTypes = []
    var outcome: EventOutcome?
    var user: Range<Int>?
    var userEffective: Range<Int>?
    var userTarget: Range<Int>?
    var userTargetID: Range<Int>?
    var groupName: Range<Int>?
    var groupID: Range<Int>?
    var sourceIP: IPAddress?
    var sourcePort: Int64?
    var sourceDomain: Range<Int>?
    var destinationIP: IPAddress?
    var destinationPort: Int64?
    var transport: StaticString?
    var commandLine: Range<Int>?
    var workingDirectory: Range<Int>?
    var sessionID: Range<Int>?
    var method: Range<Int>?
    var keyType: Range<Int>?
    var fingerprint: Range<Int>?
    var reason: Range<Int>?
    var tty: Range<Int>?
    var pamService: Range<Int>?
    var pamModule: Range<Int>?
    var pamRuser: Range<Int>?
    /// Set when the message is understood and names no remote peer (a sudo command line that
    /// mentions an address is not a peer): the generic peer patterns are then not tried.
    var isPeerless = false

    /// Whether a remote peer was found.
    var hasPeer: Bool { sourceIP != nil || sourceDomain != nil }

    /// Sets the peer from a parsed token (an address wins over a name).
    mutating func setPeer(_ p: MessageText.Peer) {
        if let ip = p.ip { sourceIP = ip; if let port = p.port { sourcePort = port } }
        if let d = p.domain { sourceDomain = d }
    }

    mutating func classify(_ action: StaticString, _ categories: EventCategories, _ types: EventTypes, _ outcome: EventOutcome? = nil) {
        self.action = action
        self.categories = categories
        self.types = types
        self.outcome = outcome
    }
}
