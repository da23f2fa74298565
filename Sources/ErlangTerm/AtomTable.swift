import Synchronization

/// The process-wide atom table: every ``Atom`` is an entry here.
///
/// Lookups hash the atom's UTF-8 bytes (FNV-1a) into an open-addressing table under a mutex, so
/// interning from a byte buffer allocates nothing when the atom exists already. The table never
/// shrinks. Atoms created while decoding network input count against ``inputLimit``: past it a
/// decoder fails with ``ETFError/Kind/atomLimitExceeded`` instead of growing the table, so a peer
/// that floods new atoms cannot exhaust memory.
public final class AtomTable: Sendable {
    /// The table shared by the whole process.
    public static let shared = AtomTable()

    private struct State {
        var slots: [Unmanaged<AtomEntry>?] = Array(repeating: nil, count: 1024)
        var count = 0
        var createdFromInput = 0
        var inputLimit = 1_000_000
    }

    private let state: Mutex<State>

    /// A table of its own, for tests; the process uses ``shared``.
    init(inputLimit: Int = 1_000_000) {
        state = Mutex(State(inputLimit: inputLimit))
    }

    /// The number of atoms in the table.
    public var count: Int { state.withLock { $0.count } }

    /// How many atoms have been created by decoding untrusted input so far.
    public var createdFromInput: Int { state.withLock { $0.createdFromInput } }

    /// The most distinct atoms that decoding untrusted input may create (default 1,000,000, near
    /// the BEAM's own table size). Atoms that exist already are always accepted.
    public var inputLimit: Int {
        get { state.withLock { $0.inputLimit } }
        set { state.withLock { $0.inputLimit = newValue } }
    }

    /// Returns the atom whose UTF-8 text is `utf8`, creating it unless `fromInput` is set and the
    /// input cap is reached (then `nil`). The caller has validated the bytes as UTF-8.
    func intern(utf8: UnsafeRawBufferPointer, fromInput: Bool) -> Atom? {
        let hash = Self.fnv1a(utf8)
        return state.withLock { state -> Atom? in
            var index = Int(truncatingIfNeeded: hash) & (state.slots.count - 1)
            while let entry = state.slots[index] {
                let value = entry.takeUnretainedValue()
                if value.hashValue == hash, value.utf8.count == utf8.count,
                    value.utf8.withUnsafeBytes({ $0.elementsEqual(utf8) })
                {
                    return Atom(entry: entry)
                }
                index = (index + 1) & (state.slots.count - 1)
            }
            if fromInput {
                guard state.createdFromInput < state.inputLimit else { return nil }
                state.createdFromInput += 1
            }
            let entry = Unmanaged.passRetained(AtomEntry(utf8: Array(utf8), hashValue: hash))
            state.slots[index] = entry
            state.count += 1
            if state.count * 2 > state.slots.count { Self.grow(&state) }
            return Atom(entry: entry)
        }
    }

    /// Looks up an atom without creating it.
    func existing(utf8: UnsafeRawBufferPointer) -> Atom? {
        let hash = Self.fnv1a(utf8)
        return state.withLock { state -> Atom? in
            var index = Int(truncatingIfNeeded: hash) & (state.slots.count - 1)
            while let entry = state.slots[index] {
                let value = entry.takeUnretainedValue()
                if value.hashValue == hash, value.utf8.withUnsafeBytes({ $0.elementsEqual(utf8) }) {
                    return Atom(entry: entry)
                }
                index = (index + 1) & (state.slots.count - 1)
            }
            return nil
        }
    }

    private static func grow(_ state: inout State) {
        var slots = [Unmanaged<AtomEntry>?](repeating: nil, count: state.slots.count * 2)
        for case let entry? in state.slots {
            var index = Int(truncatingIfNeeded: entry.takeUnretainedValue().hashValue) & (slots.count - 1)
            while slots[index] != nil { index = (index + 1) & (slots.count - 1) }
            slots[index] = entry
        }
        state.slots = slots
    }

    @inline(__always)
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}
