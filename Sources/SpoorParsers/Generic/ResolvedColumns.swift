import SpoorEvents

/// Column handles a parser resolves once and reuses for every record.
///
/// Resolving a handle is a dictionary lookup by name; doing it per field per record is what
/// makes parsers slow. A parser keeps one `ResolvedColumns` and calls ``resolve(in:)`` at the
/// start of each record. That costs two lookups, which also detect that the caller handed
/// over a *different* builder (a new batch) and then resolves every handle again:
///
/// - the name whose handle has the **highest index**: if the builder answers with that same
///   index, it has at least that many columns, so no cached handle can point past its
///   columns (safety: a stale handle can never trap);
/// - the first name: with the first and the highest at their cached places in a builder the
///   parser filled in the same order, the others are too (correctness; a builder filled by
///   several parsers in different orders is the case this cannot prove; an identity on
///   `EventBatchBuilder` would make it exact).
struct ResolvedColumns: Sendable {
    let names: [(String, FieldKind)]
    private(set) var handles: [ColumnHandle] = []
    /// The position in ``names`` of the handle with the highest column index.
    private var highest = 0

    init(_ names: [(String, FieldKind)]) {
        self.names = names
    }

    /// Makes ``handles`` valid for `builder`.
    @inline(__always)
    mutating func resolve(in builder: inout EventBatchBuilder) {
        guard !names.isEmpty else { return }
        if handles.count == names.count,
           builder.column(names[highest].0, names[highest].1) == handles[highest],
           builder.column(names[0].0, names[0].1) == handles[0] {
            return
        }
        handles.removeAll(keepingCapacity: true)
        highest = 0
        for (k, (name, kind)) in names.enumerated() {
            let h = builder.column(name, kind)
            if handles.isEmpty || h.index > handles[highest].index { highest = k }
            handles.append(h)
        }
    }

    @inline(__always)
    subscript(_ i: Int) -> ColumnHandle { handles[i] }
}
