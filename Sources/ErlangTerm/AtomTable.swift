import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// A direct-mapped cache of recent lookups, read without the lock: each slot holds the bits
    /// of an (immortal) entry pointer, or 0. A racing overwrite only costs a later miss.
    nonisolated(unsafe) private let recent: UnsafeMutablePointer<Atomic<UInt>>
    private static let recentSlots = 4096

    /// A table of its own, for tests; the process uses ``shared``.
    init(inputLimit: Int = 1_000_000) {
        state = Mutex(State(inputLimit: inputLimit))
        recent = .allocate(capacity: Self.recentSlots)
        for i in 0..<Self.recentSlots { (recent + i).initialize(to: Atomic(0)) }
    }

    deinit {
        recent.deinitialize(count: Self.recentSlots)
        recent.deallocate()
    }

    @inline(__always)
    private static func recentSlot(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> 32) & (recentSlots - 1)
    }

    /// The cached entry for these bytes, if the slot holds it.
    @inline(__always)
    private func cached(_ utf8: UnsafeRawBufferPointer, hash: UInt64) -> Atom? {
        let bits = recent[Self.recentSlot(hash)].load(ordering: .acquiring)
        guard bits != 0, let raw = UnsafeRawPointer(bitPattern: bits) else { return nil }
        let entry = Unmanaged<AtomEntry>.fromOpaque(raw)
        let value = entry.takeUnretainedValue()
        guard value.hashValue == hash, Self.same(value.bytes, utf8) else { return nil }
        return Atom(entry: entry)
    }

    @inline(__always)
    private func remember(_ atom: Atom, hash: UInt64) {
        recent[Self.recentSlot(hash)].store(UInt(bitPattern: atom.entry.toOpaque()), ordering: .releasing)
    }

    @inline(__always)
    private static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
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
        if let atom = cached(utf8, hash: hash) { return atom }
        let atom = state.withLock { state -> Atom? in
            var index = Int(truncatingIfNeeded: hash) & (state.slots.count - 1)
            while let entry = state.slots[index] {
                let value = entry.takeUnretainedValue()
                if value.hashValue == hash, Self.same(value.bytes, utf8) {
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
        if let atom { remember(atom, hash: hash) }
        return atom
    }

    /// Looks up an atom without creating it.
    func existing(utf8: UnsafeRawBufferPointer) -> Atom? {
        let hash = Self.fnv1a(utf8)
        if let atom = cached(utf8, hash: hash) { return atom }
        return state.withLock { state -> Atom? in
            var index = Int(truncatingIfNeeded: hash) & (state.slots.count - 1)
            while let entry = state.slots[index] {
                let value = entry.takeUnretainedValue()
                if value.hashValue == hash, Self.same(value.bytes, utf8) {
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
