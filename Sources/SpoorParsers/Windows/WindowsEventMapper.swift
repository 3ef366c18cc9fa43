import SpoorCore
import SpoorEvents
import SpoorEVTX

/// Writes ``WindowsEvent``s into events: the raw fields under `winlog.*` (Winlogbeat's
/// names) and the ECS view from ``WindowsSemantics``.
///
/// One mapper serves one source: it caches column handles and reassembles PowerShell script
/// blocks across records (``ScriptBlockAssembler``). EVTX ingest calls ``write(evtx:into:)``
/// with each record as `SpoorEVTX`'s direct path reads it (values as bytes, no JSON), and
/// ``write(evtxRecord:into:)`` for the few records that path hands over rendered in evtx_dump's
/// JSON shape; both give the event ``write(_:into:)`` gives for the `WindowsEvent` read from
/// that JSON. The JSON parsers call ``write(_:into:)`` after their adapter.
///
/// Raw fields: `winlog.channel`, `winlog.event_id` (text, as Winlogbeat), `winlog.provider_name`,
/// `winlog.provider_guid`, `winlog.computer_name`, `winlog.record_id`, `winlog.process.pid`,
/// `winlog.process.thread.id`, `winlog.activity_id`, `winlog.related_activity_id`,
/// `winlog.user.identifier`, `winlog.version`, `winlog.task`, `winlog.opcode`,
/// `winlog.keywords`, `winlog.event_data.<Name>`, `winlog.user_data.<Name>`; then
/// `event.code`, `event.provider`, `event.module`, `event.kind`, `host.name`, `@timestamp`,
/// `event.timezone`, `log.level`, `message`.
public struct WindowsEventMapper: Sendable {
    private let context: ParseContext
    private var probe = ZeekBuilderProbe()
    private var fixed: FixedColumns? = nil
    private var dataColumns: [String: ColumnHandle] = [:]
    private var userDataColumns: [String: ColumnHandle] = [:]
    /// Per `id << 3 | log.index`: the semantics resolved in the builder, nil when the event has none.
    private var resolved: [Int: ResolvedSemantics?] = [:]
    private var ecsColumns: [String: ColumnHandle] = [:]
    private var scripts = ScriptBlockAssembler()
    private var related = RelatedValues()
    // The direct EVTX path (`write(evtx:into:)`): per name id of the reader's name table,
    // the column (and, per semantics, whether the item is read), so no name is hashed per record.
    private var nameTable: UInt64 = 0
    private var dataByID: [ColumnHandle?] = []
    private var userDataByID: [ColumnHandle?] = []
    /// Per `id << 3 | log.index`: the index of its entry in `directEntries` (the last one
    /// looked up kept apart: records of one kind often follow each other).
    private var directIndex: [Int: Int] = [:]
    private var directEntries: [DirectEntry] = []
    private var lastDirect = (key: -1, index: 0)
    private var lastKeywords: [UInt8] = []
    private var lastKeywordsText: [UInt8] = []
    private var guidScratch: [UInt8] = []
    private var lastOffset = 0
    private var lastOffsetText = formatUTCOffset(0)
    /// The direct path's constant strings interned once per batch of the builder (its
    /// `generation`): `event`, the time zone text, the modules by log index, the level names by
    /// level (see ``constantSymbol(_:_:_:)``); 0 = not interned yet.
    private var constantGeneration: UInt64 = 0
    private var constants = [UInt32](repeating: 0, count: Self.constantSlots)
    private static let constantSlots = 13
    private static let kindSlot = 0, zoneSlot = 1, moduleSlot = 2, levelSlot = 7
    // Memos keyed by the reader's stamps (`EVTXEventView.systemStamps`, `EVTXDataItem.stamp`):
    // a value whose stamp is the one of the value a memo holds has the same text, so what the
    // mapper wrote for it is written again (symbols of the builder's current batch) instead of
    // being derived and interned. Valid for one builder batch (`memoGeneration`) and one name table.
    private var memoGeneration: UInt64 = 0
    private var logMemo: (provider: Int32, channel: Int32, log: WindowsLog) = (-1, -1, .other)
    private var itemMemos: [ItemMemo] = []
    private var memoCells: [(handle: ColumnHandle, cell: EventBatchBuilder.RowCell)] = []
    private var memoRelatedBytes: [UInt8] = []
    private var memoRelated: [(kind: RelatedValues.Kind, start: Int, end: Int)] = []
    /// Whether the direct path stages its `System` and data cells for one
    /// `EventBatchBuilder.set(cells:)` (off: each written by its own `set`; for comparisons).
    var stagesCells = true

    public init(context: ParseContext) {
        self.context = context
    }

    /// Writes an EVTX record rendered in evtx_dump's JSON shape (`{"Event": {…}}`).
    ///
    /// - Throws: ``ParseError`` when the value is not that shape or breaks a limit.
    public mutating func write(evtxRecord: JSONValue, into builder: inout EventBatchBuilder) throws(ParseError) {
        try write(WindowsEvent(evtxJSON: evtxRecord, zone: context.timeZone), into: &builder)
    }

    /// Writes one event into the open row of `builder`.
    ///
    /// - Throws: ``ParseError`` `.badTimestamp` when the event has no time, `.badField` when
    ///   it would introduce more than ``WindowsEventLimits/maximumDistinctNames`` data columns.
    public mutating func write(_ e: WindowsEvent, into builder: inout EventBatchBuilder) throws(ParseError) {
        guard let time = e.timeCreated else {
            throw ParseError(.badTimestamp, at: 0, "the Windows event has no readable TimeCreated")
        }
        // The builder whose batch the direct path last wrote to (`memoGeneration`), else one to
        // check (its handles by name).
        if fixed == nil || (builder.generation != memoGeneration && !probe.matches(&builder)) {
            probe.reset()
            fixed = FixedColumns(&builder, &probe)
            resetColumns()
        }
        guard let f = fixed else { return }
        builder.set(f.timestamp, timestamp: time)
        builder.set(f.timezone, string: formatUTCOffset(e.timeOffsetSeconds ?? 0))
        builder.set(f.kind, string: "event")
        let log = WindowsLog.of(provider: e.providerName, channel: e.channel)
        builder.set(f.module, string: log.module)
        if let v = e.channel { builder.set(f.channel, text: v) }
        if let id = e.eventID {
            let text = String(id)
            builder.set(f.eventID, string: text)
            builder.set(f.code, string: text)
        }
        if let v = e.providerName { builder.set(f.provider, text: v); builder.set(f.eventProvider, text: v) }
        if let v = e.providerGUID { builder.set(f.providerGUID, text: v) }
        if let v = e.computer { builder.set(f.computer, text: v); builder.set(f.host, text: v) }
        if let v = e.recordID { builder.set(f.recordID, int: v) }
        if let v = e.processID { builder.set(f.pid, int: v) }
        if let v = e.threadID { builder.set(f.tid, int: v) }
        if let v = e.activityID { builder.set(f.activity, text: v) }
        if let v = e.relatedActivityID { builder.set(f.relatedActivity, text: v) }
        if let v = e.userSID { builder.set(f.userIdentifier, text: v) }
        if let v = e.version { builder.set(f.version, int: Int64(v)) }
        if let v = e.task { builder.set(f.task, int: Int64(v)) }
        if let v = e.opcode { builder.set(f.opcode, int: Int64(v)) }
        if let v = e.keywords { builder.set(f.keywords, text: v) }
        if let v = e.level.flatMap(WindowsEvent.levelName) { builder.set(f.level, string: v) }
        if let v = e.message { builder.set(f.message, text: v) }

        for (name, value) in e.eventData {
            let h = try column(name, user: false, &builder)
            builder.set(h, text: value)
        }
        for (name, value) in e.userData {
            let h = try column(name, user: true, &builder)
            builder.set(h, text: value)
        }
        if let id = e.eventID, let sem = semantics(log, id, &builder) {
            writeSemantics(sem, e.eventData, eventDataIsEmpty: e.eventData.isEmpty, e.userData, computer: e.computer, eventID: id,
                           log: log, time: time, f, &builder)
        }
    }

    private mutating func resetColumns() {
        dataColumns.removeAll(); userDataColumns.removeAll(); resolved.removeAll(); ecsColumns.removeAll()
        dataByID.removeAll(); userDataByID.removeAll()
        directIndex.removeAll(); directEntries.removeAll(); lastDirect = (-1, 0)
    }

    /// Writes one EVTX record read by the direct path into the open row of `builder`: the same
    /// fields, values and errors as ``write(_:into:)`` of the `WindowsEvent` read from the
    /// record's JSON rendering, written from the view's bytes.
    ///
    /// - Throws: as ``write(_:into:)``.
    public mutating func write(evtx v: EVTXEventView, into builder: inout EventBatchBuilder) throws(ParseError) {
        let text = v.text
        let system = v.system
        let escapes = Bytes.find(0xEE, in: text.span) != nil
        func range(_ f: EVTXSystemField) -> Range<Int>? {
            let s = system[2 * f.rawValue]
            return s < 0 ? nil : Int(s)..<Int(system[2 * f.rawValue + 1])
        }
        // The FILETIME handed over when the text is its rendering (`…Z`: UTC, offset 0), else the text parsed.
        guard let tr = range(.systemTime),
              let t = v.systemTimeMicroseconds.map({ (microseconds: $0, offsetSeconds: 0) })
                ?? WindowsValue.time(text.span.extracting(tr), zone: context.timeZone) else {
            throw ParseError(.badTimestamp, at: 0, "the Windows event has no readable TimeCreated")
        }
        let time = Timestamp(microseconds: t.microseconds)
        // The builder of the previous record when its batch is the same (`memoGeneration`, below),
        // else one to check (its handles by name).
        if fixed == nil || (builder.generation != memoGeneration && !probe.matches(&builder)) {
            probe.reset()
            fixed = FixedColumns(&builder, &probe)
            resetColumns()
        }
        if v.names.identity != nameTable {
            nameTable = v.names.identity
            dataByID.removeAll(); userDataByID.removeAll()
            for i in directEntries.indices { directEntries[i].targets = DirectTargets() }
            clearMemos()
        }
        if memoGeneration != builder.generation || memoCells.count > 1 << 20 || memoRelatedBytes.count > 1 << 22 {
            memoGeneration = builder.generation
            clearMemos()
        }
        guard let f = fixed else { return }
        var log = WindowsLog.other
        let computerRange = range(.computer)
        // The `System` cells and the data items are staged and written with one
        // `set(cells:)` (see `StagedCells`), the semantics' cells one by one after them.
        let eventID = try withUnsafeTemporaryAllocation(of: EventBatchBuilder.Cell.self, capacity: StagedCells.capacity) {
            buffer throws(ParseError) -> Int? in
            var st = StagedCells(buffer, direct: !stagesCells)
            let id = try writeStaged(v, text: text, escapes: escapes, time: time, offsetSeconds: t.offsetSeconds, log: &log, f, &st, &builder)
            st.flush(&builder)
            return id
        }
        guard let id = eventID else { return }
        let key = id << 3 | log.index
        let i = directEntry(key, log, id, &builder)
        guard directEntries[i].hasSemantics else { return }
        if log == .powerShell && id == 4104, let sem = directEntries[i].resolved {
            writeScriptSemantics(v, sem, id: id, computer: computerRange, time: time, f, &builder)
        } else {
            // Taken out of the array for the call and put back (no copy of its tables).
            var entry = DirectEntry()
            swap(&entry, &directEntries[i])
            writeDirectSemantics(v, &entry, key: key, computer: computerRange, time: time, escapes: escapes, f, &builder)
            swap(&entry, &directEntries[i])
        }
    }

    /// The index in `directEntries` of the semantics of event kind `key` (`id << 3 | log.index`),
    /// resolved on first use.
    @inline(__always)
    private mutating func directEntry(_ key: Int, _ log: WindowsLog, _ id: Int, _ builder: inout EventBatchBuilder) -> Int {
        if key == lastDirect.key { return lastDirect.index }
        let i: Int
        if let j = directIndex[key] {
            i = j
        } else {
            i = directEntries.count
            directEntries.append(DirectEntry(semantics(log, id, &builder)))
            directIndex[key] = i
        }
        lastDirect = (key, i)
        return i
    }

    /// The direct path's `System` fields and data items (``write(evtx:into:)``) into `st`;
    /// returns the event id and sets `log`.
    private mutating func writeStaged(_ v: EVTXEventView, text: [UInt8], escapes: Bool, time: Timestamp, offsetSeconds: Int,
                                      log: inout WindowsLog, _ f: FixedColumns, _ st: inout StagedCells,
                                      _ builder: inout EventBatchBuilder) throws(ParseError) -> Int? {
        let stamps = v.systemStamps
        let slots = v.systemSlots
        let system = v.system
        func range(_ f: EVTXSystemField) -> Range<Int>? {
            let s = system[2 * f.rawValue]
            return s < 0 ? nil : Int(s)..<Int(system[2 * f.rawValue + 1])
        }
        st.add(.timestamp(f.timestamp, time), &builder)
        if offsetSeconds != lastOffset {
            lastOffset = offsetSeconds
            lastOffsetText = formatUTCOffset(offsetSeconds)
            constants[Self.zoneSlot] = 0
        }
        if constantGeneration != builder.generation {
            constantGeneration = builder.generation
            for k in constants.indices { constants[k] = 0 }
        }
        st.add(.symbol(f.timezone, constantSymbol(Self.zoneSlot, lastOffsetText, &builder)), &builder)
        st.add(.symbol(f.kind, constantSymbol(Self.kindSlot, "event", &builder)), &builder)
        let providerRange = range(.providerName), channelRange = range(.channel)
        let providerStamp = stamps[EVTXSystemField.providerName.rawValue], channelStamp = stamps[EVTXSystemField.channel.rawValue]
        if providerStamp >= 0, channelStamp >= 0, logMemo.provider == providerStamp, logMemo.channel == channelStamp {
            log = logMemo.log
        } else {
            log = WindowsLog.of(text, provider: providerRange, channel: channelRange)
            logMemo = (providerRange == nil ? -1 : providerStamp, channelRange == nil ? -1 : channelStamp, log)
        }
        st.add(.symbol(f.module, constantSymbol(Self.moduleSlot + log.index, log.module, &builder)), &builder)
        if let r = channelRange { setSystemText(.channel, stamps, slots, f.channel, nil, text, r, escapes, &st, &builder) }
        func number<T: FixedWidthInteger>(_ f: EVTXSystemField) -> T? { range(f).flatMap { Self.integer(text, $0) } }
        let eventID: Int?
        let idStamp = stamps[EVTXSystemField.eventID.rawValue], idSlot = Int(slots[EVTXSystemField.eventID.rawValue])
        if idStamp >= 0, idSlot < itemMemos.count, itemMemos[idSlot].stamp == idStamp {
            let m = itemMemos[idSlot]
            eventID = m.number
            st.add(.symbol(f.eventID, m.symbol), &builder)
            st.add(.symbol(f.code, m.symbol), &builder)
        } else {
            eventID = number(.eventID)
            var symbol: UInt32 = 0
            if let id = eventID {
                let s = String(id)
                symbol = st.set(f.eventID, bytes: s.utf8.span, &builder)
                if symbol != 0 { st.add(.symbol(f.code, symbol), &builder) } else { st.flush(&builder); builder.set(f.code, string: s) }
            }
            rememberSymbol(symbol, stamp: idStamp, slot: idSlot)
            if idStamp >= 0, idSlot >= 0 { itemMemos[idSlot].number = eventID ?? 0 }
        }
        // A value written to two columns is interned once (its symbol, when the first column
        // took it as a string).
        if let r = providerRange { setSystemText(.providerName, stamps, slots, f.provider, f.eventProvider, text, r, escapes, &st, &builder) }
        if let r = range(.providerGUID) { setSystemText(.providerGUID, stamps, slots, f.providerGUID, nil, text, r, escapes, &st, &builder) }
        let computerRange = range(.computer)
        if let r = computerRange { setSystemText(.computer, stamps, slots, f.computer, f.host, text, r, escapes, &st, &builder) }
        if let n: Int64 = number(.eventRecordID) { st.add(.integer(f.recordID, n), &builder) }
        if let n: Int64 = number(.processID) { st.add(.integer(f.pid, n), &builder) }
        if let n: Int64 = number(.threadID) { st.add(.integer(f.tid, n), &builder) }
        if let r = range(.activityID) { setSystemText(.activityID, stamps, slots, f.activity, nil, text, r, escapes, &st, &builder) }
        if let r = range(.relatedActivityID) { setSystemText(.relatedActivityID, stamps, slots, f.relatedActivity, nil, text, r, escapes, &st, &builder) }
        if let r = range(.userID) { setSystemText(.userID, stamps, slots, f.userIdentifier, nil, text, r, escapes, &st, &builder) }
        if let n: Int = number(.version) { st.add(.integer(f.version, Int64(n)), &builder) }
        if let n: Int = number(.task) { st.add(.integer(f.task, Int64(n)), &builder) }
        if let n: Int = number(.opcode) { st.add(.integer(f.opcode, Int64(n)), &builder) }
        let keywordsStamp = stamps[EVTXSystemField.keywords.rawValue], keywordsSlot = Int(slots[EVTXSystemField.keywords.rawValue])
        if keywordsStamp >= 0, keywordsSlot < itemMemos.count, itemMemos[keywordsSlot].stamp == keywordsStamp {
            st.add(.symbol(f.keywords, itemMemos[keywordsSlot].symbol), &builder)
        } else if let r = range(.keywords), Self.isLowerHex(text, r) {
            // `0x` and lower-case hex digits (the view's rendering of a hex value) is its own
            // `keywordsText`: written as it is.
            let symbol = st.set(f.keywords, bytes: text.span.extracting(r), &builder)
            rememberSymbol(symbol, stamp: keywordsStamp, slot: keywordsSlot)
        } else if let r = range(.keywords) {
            if !Self.equals(text, r, lastKeywords) {
                lastKeywords = Array(text[r])
                // What `set(h, text:)` would write.
                let t = WindowsEvent.keywordsText(Self.string(text, r))
                lastKeywordsText = ByteText.hasEscapes(t) ? ByteText.decode(t) : Array(t.utf8)
            }
            let symbol = st.set(f.keywords, bytes: lastKeywordsText.span, &builder)
            rememberSymbol(symbol, stamp: keywordsStamp, slot: keywordsSlot)
        }
        if let n: Int = number(.level), let name = WindowsEvent.levelName(n) {
            st.add(.symbol(f.level, constantSymbol(Self.levelSlot + min(max(n, 0), 5), name, &builder)), &builder)
        }

        for item in v.eventData {
            let id = Int(item.name)
            let h: ColumnHandle
            if id < dataByID.count, let c = dataByID[id] {
                h = c
            } else {
                h = try column(v.names.name(item.name), user: false, &builder)
                if id >= dataByID.count { dataByID.append(contentsOf: repeatElement(nil, count: id + 1 - dataByID.count)) }
                dataByID[id] = h
            }
            setItemText(item, h, text, escapes, &st, &builder)
        }
        for item in v.userData {
            let id = Int(item.name)
            let h: ColumnHandle
            if id < userDataByID.count, let c = userDataByID[id] {
                h = c
            } else {
                h = try column(v.names.name(item.name), user: true, &builder)
                if id >= userDataByID.count { userDataByID.append(contentsOf: repeatElement(nil, count: id + 1 - userDataByID.count)) }
                userDataByID[id] = h
            }
            setItemText(item, h, text, escapes, &st, &builder)
        }
        return eventID
    }

    private mutating func clearMemos() {
        logMemo = (-1, -1, .other)
        itemMemos.removeAll(keepingCapacity: true)
        memoCells.removeAll(keepingCapacity: true)
        memoRelatedBytes.removeAll(keepingCapacity: true)
        memoRelated.removeAll(keepingCapacity: true)
    }

    /// ``stageText(_:_:_:_:_:_:)`` of `System` field `k` into `h` (and `h2`), or the symbol its memo
    /// holds when the field's stamp is the memo's.
    @inline(__always)
    private mutating func setSystemText(_ k: EVTXSystemField, _ stamps: [Int32], _ slots: [Int32], _ h: ColumnHandle, _ h2: ColumnHandle?,
                                        _ text: [UInt8], _ r: Range<Int>, _ escapes: Bool, _ st: inout StagedCells,
                                        _ b: inout EventBatchBuilder) {
        let stamp = stamps[k.rawValue]
        let slot = Int(slots[k.rawValue])
        if stamp >= 0, slot < itemMemos.count, itemMemos[slot].stamp == stamp {
            let s = itemMemos[slot].symbol
            st.add(.symbol(h, s), &b)
            if let h2 { st.add(.symbol(h2, s), &b) }
            return
        }
        let s = stageText(h, text, r, escapes, &st, &b)
        if let h2 { if s != 0 { st.add(.symbol(h2, s), &b) } else { stageText(h2, text, r, escapes, &st, &b) } }
        rememberSymbol(s, stamp: stamp, slot: slot)
    }

    /// Records in slot `slot`'s memo that stamp `stamp` was written as `symbol` (a value that was
    /// not stored as a symbol, 0, leaves the memo unusable); nothing for an unstamped value.
    private mutating func rememberSymbol(_ symbol: UInt32, stamp: Int32, slot: Int) {
        guard stamp >= 0, slot >= 0 else { return }
        growMemos(to: slot)
        itemMemos[slot].stamp = symbol != 0 ? stamp : -1
        itemMemos[slot].symbol = symbol
    }

    private mutating func growMemos(to slot: Int) {
        if slot >= itemMemos.count { itemMemos.append(contentsOf: repeatElement(ItemMemo(), count: slot + 1 - itemMemos.count)) }
    }

    /// ``stageText(_:_:_:_:_:_:)`` of a data item into its column, or the symbol its slot's memo holds
    /// when the item's stamp is the memo's.
    @inline(__always)
    private mutating func setItemText(_ item: EVTXDataItem, _ h: ColumnHandle, _ text: [UInt8], _ escapes: Bool, _ st: inout StagedCells,
                                      _ b: inout EventBatchBuilder) {
        let slot = Int(item.slot)
        if item.stamp >= 0, slot < itemMemos.count, itemMemos[slot].stamp == item.stamp {
            st.add(.symbol(h, itemMemos[slot].symbol), &b)
            return
        }
        rememberSymbol(stageText(h, text, item.range, escapes, &st, &b), stamp: item.stamp, slot: slot)
    }

    /// The symbol of constant `text` in slot `slot` of ``constants`` (interned on first use in
    /// the builder's current batch; the caller cleared the slots when the batch changed).
    @inline(__always)
    private mutating func constantSymbol(_ slot: Int, _ text: String, _ builder: inout EventBatchBuilder) -> UInt32 {
        let s = constants[slot]
        if s != 0 { return s }
        let n = builder.intern(text.utf8.span)
        constants[slot] = n
        return n
    }

    /// ``writeSemantics`` for PowerShell 4104 (script blocks): the items it reads as Strings.
    private mutating func writeScriptSemantics(_ v: EVTXEventView, _ sem: ResolvedSemantics, id: Int, computer: Range<Int>?, time: Timestamp,
                                               _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        let text = v.text
        var data: [(name: String, value: String)] = []
        var user: [(name: String, value: String)] = []
        for item in v.eventData {
            let n = v.names.name(item.name)
            if sem.byName[n] != nil || Self.scriptBlockNames.contains(n) { data.append((n, Self.string(text, item.range))) }
        }
        if v.eventData.isEmpty {
            for item in v.userData where sem.byName[v.names.name(item.name)] != nil {
                user.append((v.names.name(item.name), Self.string(text, item.range)))
            }
        }
        writeSemantics(sem, data, eventDataIsEmpty: v.eventData.isEmpty, user, computer: computer.map { Self.string(text, $0) },
                       eventID: id, log: .powerShell, time: time, f, &builder)
    }

    /// ``writeSemantics`` from the view's bytes: per name id (of the reader's name table) the
    /// targets of the item, learnt once per event id; a value becomes a String only for the
    /// targets that parse text (hashes, addresses lists, logon types …) or when it needs the
    /// String's handling (a ``ByteText`` escape, a GUID to normalise).
    private mutating func writeDirectSemantics(_ v: EVTXEventView, _ entry: inout DirectEntry, key: Int, computer: Range<Int>?, time: Timestamp,
                                               escapes: Bool, _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        let text = v.text
        related.removeAll()
        if entry.targets.names != nameTable {
            entry.targets = DirectTargets()
            entry.targets.names = nameTable
        }
        // The semantics' strings (action, categories, types, outcome) interned once per batch.
        if entry.targets.generation != builder.generation, let sem = entry.resolved?.semantics {
            entry.targets.generation = builder.generation
            entry.targets.symbols.removeAll(keepingCapacity: true)
            entry.targets.symbols.append(builder.intern(sem.action.utf8.span))
            entry.targets.symbols.append(sem.outcome.map { builder.intern($0.utf8.span) } ?? 0)
            for c in sem.category { entry.targets.symbols.append(builder.intern(c.utf8.span)) }
            for t in sem.type { entry.targets.symbols.append(builder.intern(t.utf8.span)) }
        }
        let categories = entry.categories, types = entry.types, entityFromStart = entry.entityFromStart
        // The action, outcome and the cells of memo hits are staged (`StagedCells`); a memo miss
        // writes after the cells staged before it.
        var pid: Int64? = nil
        withUnsafeTemporaryAllocation(of: EventBatchBuilder.Cell.self, capacity: StagedCells.capacity) { buffer in
        var st = StagedCells(buffer, direct: !stagesCells)
        entry.targets.symbols.withUnsafeBufferPointer { s in
            guard s.count >= 2 + categories + types else { return }
            st.add(.symbol(f.action, s[0]), &builder)
            builder.beginList(f.category)
            for k in 0..<categories { builder.appendToList(f.category, symbol: s[2 + k]) }
            builder.beginList(f.type)
            for k in 0..<types { builder.appendToList(f.type, symbol: s[2 + categories + k]) }
            if s[1] != 0 { st.add(.symbol(f.outcome, s[1]), &builder) }
        }
        func targets(_ name: Int32) -> Int32 {
            let id = Int(name)
            if id < entry.targets.slots.count, entry.targets.slots[id] != DirectTargets.unknown { return entry.targets.slots[id] }
            if id >= entry.targets.slots.count {
                entry.targets.slots.append(contentsOf: repeatElement(DirectTargets.unknown, count: id + 1 - entry.targets.slots.count))
            }
            if let list = entry.resolved?.byName[v.names.name(name)] {
                entry.targets.slots[id] = Int32(entry.targets.lists.count)
                entry.targets.lists.append(list)
            } else {
                entry.targets.slots[id] = DirectTargets.none
            }
            return entry.targets.slots[id]
        }
        for item in v.eventData {
            let slot = targets(item.name)
            guard slot >= 0 else { continue }
            writeItemSemantics(item, entry.targets.lists[Int(slot)], key: key, status: true, entity: entityFromStart, text, escapes, f, &pid,
                               &st, &builder)
        }
        if v.eventData.isEmpty {
            for item in v.userData {
                let slot = targets(item.name)
                guard slot >= 0 else { continue }
                writeItemSemantics(item, entry.targets.lists[Int(slot)], key: key, status: false, entity: false, text, escapes, f, &pid,
                                   &st, &builder)
            }
        }
        st.flush(&builder)
        }
        if entityFromStart, let pid, let host = computer.map({ Self.string(text, $0) }) {
            builder.set(f.entityID, string: "\(host)|\(pid)|\(time.microseconds)")
        }
        related.write(f, &builder)
    }

    /// The semantics' targets of one item: what its slot's memo holds when the item's stamp and
    /// the semantics (`key`) are the memo's, else written from the text and, when every column
    /// the targets write was unset before (so what they hold after is this item's doing) and
    /// holds a plain cell, recorded in the memo with the related values added and the pid read.
    /// `status`: `.status` targets set the outcome (event data), else they are skipped.
    private mutating func writeItemSemantics(_ item: EVTXDataItem, _ list: [ResolvedTarget], key: Int, status: Bool, entity: Bool,
                                             _ text: [UInt8], _ escapes: Bool, _ f: FixedColumns, _ pid: inout Int64?,
                                             _ st: inout StagedCells, _ builder: inout EventBatchBuilder) {
        let slot = Int(item.slot)
        if item.stamp >= 0, slot < itemMemos.count, itemMemos[slot].semStamp == item.stamp, itemMemos[slot].semKey == key {
            let m = itemMemos[slot]
            for k in Int(m.cellStart)..<Int(m.cellStart + m.cellCount) {
                let h = memoCells[k].handle
                switch memoCells[k].cell {
                case .symbol(let s): st.add(.symbol(h, s), &builder)
                case .integer(let v, .int): st.add(.integer(h, v), &builder)
                case .integer(let v, .timestamp): st.add(.timestamp(h, Timestamp(microseconds: v)), &builder)
                case let cell:
                    st.flush(&builder)
                    builder.set(h, cell: cell)
                }
            }
            for k in Int(m.relatedStart)..<Int(m.relatedStart + m.relatedCount) {
                let r = memoRelated[k]
                related.add(r.kind, memoRelatedBytes, r.start..<r.end)
            }
            if m.pidSet { pid = m.pid }
            return
        }
        // What the targets find set (`isSet`, `openRowCell`) includes the cells staged before.
        st.flush(&builder)
        var memoizable = item.stamp >= 0 && slot >= 0
        if memoizable {
            check: for t in list {
                for h in t.handles where builder.isSet(h) { memoizable = false; break check }
                if case .status = t.target, status, builder.isSet(f.outcome) { memoizable = false; break check }
            }
        }
        let relatedBefore = related.count
        var pidSet = false
        var itemPid: Int64? = nil
        let range = item.range
        for t in list {
            if case .status = t.target {
                guard status else { continue }
                let code = Self.hexOrDecimal(text, range) ?? WindowsValue.integer(Self.string(text, range))
                builder.set(f.outcome, string: code == 0 ? "success" : "failure")
                continue
            }
            let n = writeTarget(t, text, range, escapes, &builder)
            if entity, case .int("process.pid") = t.target { pid = n; itemPid = n; pidSet = true }
        }
        guard memoizable else { return }
        let cellStart = memoCells.count
        for t in list {
            for h in t.handles {
                if let c = builder.openRowCell(h) { memoCells.append((h, c)) } else if builder.isSet(h) { memoizable = false }
            }
            if case .status = t.target, status {
                if let c = builder.openRowCell(f.outcome) { memoCells.append((f.outcome, c)) } else if builder.isSet(f.outcome) { memoizable = false }
            }
        }
        let relatedStart = memoRelated.count
        related.copy(from: relatedBefore, &memoRelatedBytes, &memoRelated)
        growMemos(to: slot)
        guard memoizable else {
            itemMemos[slot].semStamp = -1
            return
        }
        itemMemos[slot].semStamp = item.stamp
        itemMemos[slot].semKey = key
        itemMemos[slot].cellStart = Int32(cellStart)
        itemMemos[slot].cellCount = Int32(memoCells.count - cellStart)
        itemMemos[slot].relatedStart = Int32(relatedStart)
        itemMemos[slot].relatedCount = Int32(memoRelated.count - relatedStart)
        itemMemos[slot].pidSet = pidSet
        itemMemos[slot].pid = itemPid
    }

    /// ``WindowsTargetWriter/write(_:_:_:_:)`` of ``string(_:_:)`` of `text[r]`, from the bytes
    /// for the common targets; returns the integer an `.int` target read (for the entity id).
    private mutating func writeTarget(_ t: ResolvedTarget, _ text: [UInt8], _ r: Range<Int>, _ escapes: Bool,
                                      _ b: inout EventBatchBuilder) -> Int64? {
        let n = r.count
        // A GUID into a text column (Sysmon's process GUIDs) in its normalised form, as
        // ``stageText`` writes it (a GUID has no escape); values the String handles differently
        // from their bytes (other GUIDs, escapes) go that way.
        let guid = Self.guidForm(text, r)
        if guid != .none, case .text = t.target {
            withNormalisedGUID(text, r, guid) { b.set(t.handles[0], bytes: $0) }
            return nil
        }
        if guid != .none || (escapes && text[r].contains(0xEE)) {
            let value = Self.string(text, r)
            WindowsTargetWriter.write(t, value, &b, &related)
            if case .int = t.target { return WindowsValue.integer(value) }
            return nil
        }
        let h = t.handles
        let dash = n == 1 && text[r.lowerBound] == UInt8(ascii: "-")
        switch t.target {
        case .text:
            if !dash { b.set(h[0], bytes: text.span.extracting(r)) }
            return nil
        case .path(_, let name):
            guard !dash, n > 0 else { return nil }
            b.set(h[0], bytes: text.span.extracting(r))
            guard name != nil, h.count > 1 else { return nil }
            var k = r.upperBound
            while k > r.lowerBound, text[k - 1] != UInt8(ascii: "\\"), text[k - 1] != UInt8(ascii: "/") { k -= 1 }
            if k == r.lowerBound {
                b.set(h[1], bytes: text.span.extracting(r))
            } else if (k < r.upperBound && text[k] >= 0x80) || (k - 1 > r.lowerBound && text[k - 2] >= 0x80) {
                // A separator next to non-ASCII text may be inside one Character.
                b.set(h[1], text: WindowsTargetWriter.lastComponent(Self.string(text, r)))
            } else {
                b.set(h[1], bytes: text.span.extracting(k..<r.upperBound))
            }
            return nil
        case .int:
            guard let v = Self.hexOrDecimal(text, r) ?? WindowsValue.integer(Self.string(text, r)) else { return nil }
            b.set(h[0], int: v)
            return v
        case .port:
            guard let v: Int64 = Self.integer(text, r), v > 0, v < 65536 else { return nil }
            b.set(h[0], int: v)
            return nil
        case .userName:
            guard !dash, n > 0 else { return nil }
            b.set(h[0], bytes: text.span.extracting(r))
            related.add(.user, text, r)
            return nil
        case .account:
            guard !dash, n > 0 else { return nil }
            var k = r.lowerBound
            while k < r.upperBound, text[k] != UInt8(ascii: "\\") { k += 1 }
            if k == r.upperBound {
                b.set(h[0], bytes: text.span.extracting(r))
                related.add(.user, text, r)
            } else if (k + 1 < r.upperBound && text[k + 1] >= 0x80) || (k > r.lowerBound && text[k - 1] >= 0x80) {
                WindowsTargetWriter.write(t, Self.string(text, r), &b, &related)
            } else {
                b.set(h[0], bytes: text.span.extracting((k + 1)..<r.upperBound))
                b.set(h[1], bytes: text.span.extracting(r.lowerBound..<k))
                related.add(.user, text, (k + 1)..<r.upperBound)
            }
            return nil
        case .ip:
            // `WindowsTargetWriter.address` from the bytes (the value is ASCII here or goes the String way).
            guard !text[r].contains(where: { $0 >= 0x80 }) else { break }
            var p = r.lowerBound
            if n > 7, Self.equals(text, p..<(p + 7), "::ffff:"), text[r].contains(UInt8(ascii: ".")) { p += 7 }
            let a = p..<r.upperBound
            if a.isEmpty || Self.equals(text, a, "-") || Self.equals(text, a, "::") || Self.equals(text, a, "0.0.0.0")
                || Self.equals(text, a, "::1") || Self.equals(text, a, "127.0.0.1") { return nil }
            guard let ip = IPAddress.parse(text.span.extracting(a)) else { return nil }
            b.set(h[0], ip: ip)
            related.add(.ip, text: ip.description)
            return nil
        case .direction:
            guard !text[r].contains(where: { $0 >= 0x80 }) else { break }
            if n == 4, Self.equalsIgnoringASCIICase(text, r, "true") { b.set(h[0], string: "egress") }
            else if n == 5, Self.equalsIgnoringASCIICase(text, r, "false") { b.set(h[0], string: "ingress") }
            return nil
        case .lowercased:
            guard !text[r].contains(where: { $0 >= 0x80 }) else { break }
            guidScratch.removeAll(keepingCapacity: true)
            for c in text[r] { guidScratch.append(c >= 0x41 && c <= 0x5a ? c + 32 : c) }
            b.set(h[0], bytes: guidScratch.span)
            return nil
        case .hashes:
            // `WindowsTargetWriter`'s split of `ALG=digest,…` from the bytes when they are ASCII
            // (where a Character is a byte, so the String's split, case mappings and
            // comparisons give the same).
            guard !text[r].contains(where: { $0 >= 0x80 }) else { break }
            WindowsTargetWriter.hashParts(text, r) { k, digest in
                b.set(h[k], bytes: digest)
                related.add(.hash, digest)
            }
            return nil
        case .logonType:
            let number: Int? = Self.integer(text, r)
            if let name = WindowsTargetWriter.logonTypeName(number: number) { b.set(h[0], string: name) } else { b.set(h[0], bytes: text.span.extracting(r)) }
            return nil
        default:
            break
        }
        WindowsTargetWriter.write(t, Self.string(text, r), &b, &related)
        return nil
    }

    /// Whether `text[r]` holds the bytes of `other` (through buffer pointers: `elementsEqual` of an `ArraySlice` takes the generic path).
    private static func equals(_ text: [UInt8], _ r: Range<Int>, _ other: [UInt8]) -> Bool {
        guard r.count == other.count, r.lowerBound >= 0, r.upperBound <= text.count else { return false }
        if r.isEmpty { return true }
        return text.withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                for k in 0..<b.count where a[r.lowerBound + k] != b[k] { return false }
                return true
            }
        }
    }

    /// Whether `text[r]` is `0x` and one or more lower-case hex digits.
    private static func isLowerHex(_ text: [UInt8], _ r: Range<Int>) -> Bool {
        guard r.count > 2, r.lowerBound >= 0, r.upperBound <= text.count else { return false }
        return text.withUnsafeBufferPointer { t in
            guard t[r.lowerBound] == UInt8(ascii: "0"), t[r.lowerBound + 1] == UInt8(ascii: "x") else { return false }
            for k in (r.lowerBound + 2)..<r.upperBound {
                let c = t[k]
                if c &- 0x30 < 10 || c &- 0x61 < 6 { continue }
                return false
            }
            return true
        }
    }

    /// Whether `text[r]` is `s`.
    private static func equals(_ text: [UInt8], _ r: Range<Int>, _ s: StaticString) -> Bool {
        r.count == s.utf8CodeUnitCount && s.withUTF8Buffer { text[r].elementsEqual($0) }
    }

    /// Whether `text[r]` is `s` (lower-case ASCII) in any ASCII case.
    private static func equalsIgnoringASCIICase(_ text: [UInt8], _ r: Range<Int>, _ s: StaticString) -> Bool {
        r.count == s.utf8CodeUnitCount && s.withUTF8Buffer { text[r].elementsEqual($0) { ($0 >= 0x41 && $0 <= 0x5a ? $0 + 32 : $0) == $1 } }
    }

    /// `WindowsValue.integer` of plain decimal digits or `0x` and up to 16 hex digits; nil for
    /// anything else (the caller then asks `WindowsValue.integer`).
    private static func hexOrDecimal(_ text: [UInt8], _ r: Range<Int>) -> Int64? {
        let n = r.count
        if n > 2, n <= 18, text[r.lowerBound] == UInt8(ascii: "0"), text[r.lowerBound + 1] | 0x20 == UInt8(ascii: "x") {
            var v: UInt64 = 0
            for k in (r.lowerBound + 2)..<r.upperBound {
                let c = text[k]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - 55
                default: return nil
                }
                v = v << 4 | UInt64(d)
            }
            return Int64(bitPattern: v)
        }
        guard n > 0, n <= 18 else { return nil }
        var v: Int64 = 0
        for k in r {
            let d = text[k] &- 0x30
            if d > 9 { return nil }
            v = v * 10 + Int64(d)
        }
        return v
    }

    private static let scriptBlockNames: Set<String> = ["ScriptBlockText", "MessageNumber", "MessageTotal", "ScriptBlockId"]

    /// A view value as the String the JSON reading gives it (GUIDs normalised).
    private static func string(_ text: [UInt8], _ r: Range<Int>) -> String {
        WindowsValue.normalisedString(String(decoding: text[r], as: UTF8.self))
    }

    /// Sets a view value as `set(h, text:)` of ``string(_:_:)`` would, from the bytes (a GUID
    /// normalised in a scratch buffer; a String only when a ``ByteText`` escape may be in it).
    /// `escapes`: whether the record's text may hold a ``ByteText`` escape (U+EF80…U+EFFF, UTF-8
    /// lead byte 0xEE); when not, no value needs the String.
    /// Through `st`: the value's symbol is staged; a value that needs the String is written at
    /// once, after the cells staged before it. Returns the symbol, or 0 when the value went in
    /// as a String.
    @inline(__always) @discardableResult
    private mutating func stageText(_ h: ColumnHandle, _ text: [UInt8], _ r: Range<Int>, _ escapes: Bool, _ st: inout StagedCells,
                                    _ b: inout EventBatchBuilder) -> UInt32 {
        let guid = Self.guidForm(text, r)
        if guid != .none { return withNormalisedGUID(text, r, guid) { st.set(h, bytes: $0, &b) } }
        if escapes && text[r].contains(0xEE) {
            st.flush(&b)
            b.set(h, text: Self.string(text, r))
            return 0
        }
        return st.set(h, bytes: text.span.extracting(r), &b)
    }

    enum GUIDForm { case none, canonical, other }

    /// Whether `text[r]` is a GUID (braced or not; `WindowsValue.guid`), and whether it is already
    /// in the normalised form (upper case) apart from braces.
    static func guidForm(_ text: [UInt8], _ r: Range<Int>) -> GUIDForm {
        guard r.count == 36 || r.count == 38, r.lowerBound >= 0, r.upperBound <= text.count else { return .none }
        return text.withUnsafeBufferPointer { b -> GUIDForm in
            var p = r.lowerBound
            if r.count == 38 {
                guard b[p] == UInt8(ascii: "{"), b[r.upperBound - 1] == UInt8(ascii: "}") else { return .none }
                p += 1
            }
            // The dashes first: most other values of this length fail there.
            let dash = UInt8(ascii: "-")
            guard b[p + 8] == dash, b[p + 13] == dash, b[p + 18] == dash, b[p + 23] == dash else { return .none }
            var lower = false
            for i in 0..<36 where i != 8 && i != 13 && i != 18 && i != 23 {
                let c = b[p + i]
                if c &- 0x30 < 10 || c &- 0x41 < 6 { continue }
                if c &- 0x61 < 6 { lower = true; continue }
                return .none
            }
            return lower ? .other : .canonical
        }
    }

    /// `body` of the normalised form of the GUID `text[r]` (`form` from ``guidForm(_:_:)``, not
    /// `.none`): its 36 characters without braces, upper case (upper-cased in `guidScratch` when
    /// they are not).
    private mutating func withNormalisedGUID<R>(_ text: [UInt8], _ r: Range<Int>, _ form: GUIDForm, _ body: (Span<UInt8>) -> R) -> R {
        let p = r.count == 38 ? r.lowerBound + 1 : r.lowerBound
        if form == .canonical { return body(text.span.extracting(p..<(p + 36))) }
        if guidScratch.count != 36 { guidScratch = [UInt8](repeating: 0, count: 36) }
        for i in 0..<36 {
            let c = text[p + i]
            guidScratch[i] = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") ? c - 32 : c
        }
        return body(guidScratch.span)
    }

    /// `T(text)` of a view value (decimal digits read directly).
    private static func integer<T: FixedWidthInteger>(_ text: [UInt8], _ r: Range<Int>) -> T? {
        if r.count > 0, r.count <= 18 {
            var v: Int64 = 0
            var ok = true
            for k in r {
                let d = text[k] &- 0x30
                if d > 9 { ok = false; break }
                v = v * 10 + Int64(d)
            }
            if ok { return T(exactly: v) }
        }
        return T(String(decoding: text[r], as: UTF8.self))
    }

    /// The column of data item `name` (`winlog.user_data.<name>` when `user`, else
    /// `winlog.event_data.<name>`).
    private mutating func column(_ name: String, user: Bool, _ builder: inout EventBatchBuilder) throws(ParseError) -> ColumnHandle {
        if let h = user ? userDataColumns[name] : dataColumns[name] { return h }
        guard dataColumns.count + userDataColumns.count < WindowsEventLimits.maximumDistinctNames else {
            throw ParseError(.badField, at: 0, "more than \(WindowsEventLimits.maximumDistinctNames) distinct Windows data names in one source")
        }
        let h = probe.column((user ? "winlog.user_data." : "winlog.event_data.") + name, .string, &builder)
        if user { userDataColumns[name] = h } else { dataColumns[name] = h }
        return h
    }

    private mutating func semantics(_ log: WindowsLog, _ id: Int, _ builder: inout EventBatchBuilder) -> ResolvedSemantics? {
        let key = id << 3 | log.index
        if let r = resolved[key] { return r }
        guard let sem = WindowsSemantics.lookup(log, id) else {
            resolved[key] = .some(nil)
            return nil
        }
        var byName: [String: [ResolvedTarget]] = [:]
        for (name, target) in sem.fields {
            let handles = target.columns.map { probe.column($0.0, $0.1, &builder) }
            byName[name, default: []].append(ResolvedTarget(target: target, handles: handles))
        }
        let r = ResolvedSemantics(semantics: sem, byName: byName)
        resolved[key] = r
        return r
    }

    /// `eventData`/`userData` hold at least the items the semantics read (in order).
    private mutating func writeSemantics(_ r: ResolvedSemantics, _ eventData: [(name: String, value: String)], eventDataIsEmpty: Bool,
                                         _ userData: [(name: String, value: String)], computer: String?, eventID: Int,
                                         log: WindowsLog, time: Timestamp, _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        let sem = r.semantics
        builder.set(f.action, string: sem.action)
        builder.beginList(f.category)
        for c in sem.category { builder.appendToList(f.category, text: c) }
        builder.beginList(f.type)
        for t in sem.type { builder.appendToList(f.type, text: t) }
        if let o = sem.outcome { builder.set(f.outcome, string: o) }
        related.removeAll()
        var pid: Int64? = nil
        for (name, value) in eventData {
            guard let targets = r.byName[name] else { continue }
            for t in targets {
                if case .status = t.target {
                    builder.set(f.outcome, string: WindowsValue.integer(value) == 0 ? "success" : "failure")
                    continue
                }
                WindowsTargetWriter.write(t, value, &builder, &related)
                if sem.entityFromStart, case .int("process.pid") = t.target { pid = WindowsValue.integer(value) }
            }
        }
        // Security 1102 keeps its subject in UserData.
        if eventDataIsEmpty, !userData.isEmpty {
            for (name, value) in userData {
                guard let targets = r.byName[name] else { continue }
                for t in targets { WindowsTargetWriter.write(t, value, &builder, &related) }
            }
        }
        if sem.entityFromStart, let pid, let host = computer {
            builder.set(f.entityID, string: "\(host)|\(pid)|\(time.microseconds)")
        }
        if log == .powerShell, eventID == 4104 { writeScriptBlock(eventData, f, &builder) }
        related.write(f, &builder)
    }

    private mutating func writeScriptBlock(_ eventData: [(name: String, value: String)], _ f: FixedColumns, _ builder: inout EventBatchBuilder) {
        func data(_ name: String) -> String? {
            for (n, v) in eventData where n == name { return v }
            return nil
        }
        guard let text = data("ScriptBlockText") else { return }
        let number = data("MessageNumber").flatMap { Int($0) } ?? 1
        let total = data("MessageTotal").flatMap { Int($0) } ?? 1
        let id = data("ScriptBlockId") ?? ""
        if let whole = scripts.add(id: id, number: number, total: total, text: text) {
            builder.set(f.scriptBlockText, text: whole)
        }
    }
}

extension WindowsLog {
    /// ``of(provider:channel:)`` of values in `text`.
    static func of(_ text: [UInt8], provider: Range<Int>?, channel: Range<Int>?) -> WindowsLog {
        func eq(_ r: Range<Int>?, _ s: StaticString) -> Bool {
            guard let r, r.count == s.utf8CodeUnitCount else { return false }
            return s.withUTF8Buffer { text[r].elementsEqual($0) }
        }
        if eq(provider, "Microsoft-Windows-Sysmon") || eq(channel, "Microsoft-Windows-Sysmon/Operational") { return .sysmon }
        if eq(channel, "Security") { return .security }
        if eq(channel, "Microsoft-Windows-PowerShell/Operational") || eq(provider, "Microsoft-Windows-PowerShell") { return .powerShell }
        if eq(channel, "System") { return .system }
        return .other
    }

    var index: Int {
        switch self {
        case .sysmon: 0
        case .security: 1
        case .system: 2
        case .powerShell: 3
        case .other: 4
        }
    }
}

/// The direct EVTX path's semantics of one event kind: resolved in the builder once, with what
/// a record reads of them per record (counts, a flag) kept apart from the tables.
struct DirectEntry: Sendable {
    var resolved: ResolvedSemantics? = nil
    var hasSemantics = false
    var categories = 0, types = 0
    var entityFromStart = false
    var targets = DirectTargets()

    init() {}

    init(_ r: ResolvedSemantics?) {
        resolved = r
        hasSemantics = r != nil
        categories = r?.semantics.category.count ?? 0
        types = r?.semantics.type.count ?? 0
        entityFromStart = r?.semantics.entityFromStart ?? false
    }
}

/// For the direct EVTX path, per event id: per name id of the reader's name table, the index
/// of the item's targets in `lists` (`none`: the semantics do not read it; `unknown`: not met yet).
struct DirectTargets: Sendable {
    static let unknown: Int32 = -2
    static let none: Int32 = -1
    var names: UInt64 = 0
    var slots: [Int32] = []
    var lists: [[ResolvedTarget]] = []
    /// The builder batch (`EventBatchBuilder.generation`) `symbols` belong to, and the
    /// semantics' action, outcome (0: none), categories and types interned in it.
    var generation: UInt64 = 0
    var symbols: [UInt32] = []
}

/// What the mapper wrote for the item or `System` field of one slot: its column (`stamp`,
/// `symbol`; `number`: the event id read), and for an item
/// its semantics' targets for the semantics `semKey` (`semStamp`): the cells in `memoCells`,
/// the related values, the pid an entity id is made of.
struct ItemMemo: Sendable {
    var stamp: Int32 = -1
    var symbol: UInt32 = 0
    var number: Int = 0
    var semStamp: Int32 = -1
    var semKey: Int = -1
    var cellStart: Int32 = 0, cellCount: Int32 = 0
    var relatedStart: Int32 = 0, relatedCount: Int32 = 0
    var pidSet = false
    var pid: Int64? = nil
}

/// A semantics entry with its columns resolved in one builder.
struct ResolvedSemantics: Sendable {
    var semantics: WindowsSemantics
    var byName: [String: [ResolvedTarget]]
}

/// One target with its columns resolved (in the order of ``WindowsTarget/columns``).
struct ResolvedTarget: Sendable {
    var target: WindowsTarget
    var handles: [ColumnHandle]
}

/// A row's cells gathered for one ``EventBatchBuilder/set(cells:)`` (in a buffer the caller
/// owns for the call), or, with `direct`, each written at once by its own `set`. Cells keep
/// their order: a value written to the builder some other way is written after ``flush(_:)``.
struct StagedCells {
    static let capacity = 48
    private let buffer: UnsafeMutableBufferPointer<EventBatchBuilder.Cell>
    private let direct: Bool
    private var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<EventBatchBuilder.Cell>, direct: Bool) {
        self.buffer = buffer
        self.direct = direct
    }

    @inline(__always)
    mutating func add(_ cell: EventBatchBuilder.Cell, _ b: inout EventBatchBuilder) {
        if direct {
            b.set(cell)
            return
        }
        if count == buffer.count { flush(&b) }
        buffer.initializeElement(at: count, to: cell)
        count += 1
    }

    /// `set(h, bytes:)` through the stage: the value's symbol staged; returns it (0 when the
    /// column does not hold strings: then the value was written converted, as `set` does).
    @inline(__always)
    mutating func set(_ h: ColumnHandle, bytes: Span<UInt8>, _ b: inout EventBatchBuilder) -> UInt32 {
        if !direct, let s = b.symbol(h, bytes: bytes) {
            add(.symbol(h, s), &b)
            return s
        }
        flush(&b)
        return b.set(h, bytes: bytes)
    }

    /// Writes the staged cells.
    mutating func flush(_ b: inout EventBatchBuilder) {
        guard count > 0 else { return }
        b.set(cells: UnsafeBufferPointer(buffer.extracting(0..<count)))
        count = 0
    }
}
