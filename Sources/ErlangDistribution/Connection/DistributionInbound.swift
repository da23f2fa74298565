public import ErlangTerm
public import NIOCore

/// The receiving half of a distribution connection, as a pure state machine: frames in, control
/// messages out.
///
/// It owns what the peer's frames build up: the atom cache its distribution headers fill, and the
/// partial messages of fragmented sequences. Frames are the bytes between 4-byte length prefixes;
/// an empty frame is a tick.
public struct DistributionInbound: Sendable {
    /// Limits on what a peer may send.
    public struct Limits: Sendable {
        /// The largest message, after reassembling its fragments (default 128 MiB).
        public var maximumMessageSize = 128 << 20
        /// The most fragmented sequences open at once (default 256).
        public var maximumOpenSequences = 256
        /// The most bytes this connection's open sequences may hold together, first fragments
        /// included.
        public var maximumPartialBytes = 64 << 20
        /// The node's budget shared by all its connections, if any.
        public var nodeBudget: FragmentBudget?
        /// Limits for the terms themselves.
        public var terms = ETFDecodingOptions()

        /// The defaults.
        public init() {}
    }

    /// What one frame carried.
    public enum Event: Sendable, Equatable {
        /// A tick: the peer is alive.
        case tick
        /// A control message and, for operations that have one, its payload.
        case message(ControlMessage, payload: Term?)
        /// A fragment of a longer message; nothing to deliver yet.
        case fragment
    }

    private struct PartialMessage {
        var nextFragment: UInt64
        var references: [Atom]
        var bytes: [UInt8]
    }

    /// The limits in force.
    public let limits: Limits
    private var cache = AtomCache()
    private var partial: [UInt64: PartialMessage] = [:]
    /// Bytes held by `partial`, all taken from `limits.nodeBudget` too.
    public private(set) var partialBytes = 0

    /// A fresh connection's inbound state.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Processes one frame.
    public mutating func receive(frame: ByteBuffer) throws(DistributionError) -> Event {
        if frame.readableBytes == 0 { return .tick }
        let result = frame.withUnsafeReadableBytes { raw in
            Result { () throws(DistributionError) in try self.receive(raw) }
        }
        return try result.get()
    }

    /// Processes one frame given as raw bytes.
    public mutating func receive(_ raw: UnsafeRawBufferPointer) throws(DistributionError) -> Event {
        if raw.isEmpty { return .tick }
        var cursor = HeaderCursor(raw)
        let first = try cursor.byte()
        if first == 112 {  // PASS_THROUGH: no distribution header; terms carry version bytes.
            return try decodeMessage(
                Array(UnsafeRawBufferPointer(rebasing: raw[1...])), references: nil, versioned: true)
        }
        guard first == ETFVersion.byte else { throw .badHeader("starts with \(first)") }
        switch try cursor.byte() {
        case 68:
            let references = try readAtomCacheReferences(&cursor)
            return try decodeTerms(raw, from: cursor.offset, references: references, versioned: false)
        case 69:
            let sequence = try cursor.uint64()
            let fragment = try cursor.uint64()
            guard fragment >= 1 else { throw .badFragment("fragment id 0") }
            let references = try readAtomCacheReferences(&cursor)
            if fragment == 1 {
                return try decodeTerms(raw, from: cursor.offset, references: references, versioned: false)
            }
            guard partial[sequence] == nil else { throw .badFragment("sequence \(sequence) started twice") }
            guard partial.count < limits.maximumOpenSequences else {
                throw .badFragment("more than \(limits.maximumOpenSequences) open sequences")
            }
            try hold(raw.count - cursor.offset)
            partial[sequence] = PartialMessage(
                nextFragment: fragment - 1, references: references,
                bytes: Array(UnsafeRawBufferPointer(rebasing: raw[cursor.offset...])))
            return .fragment
        case 70:
            let sequence = try cursor.uint64()
            let fragment = try cursor.uint64()
            guard var message = partial.removeValue(forKey: sequence) else {
                throw .badFragment("continuation of unknown sequence \(sequence)")
            }
            // The sequence is out of `partial` now: what it held goes back, and is taken again
            // below if it goes on.
            giveBack(message.bytes.count)
            guard fragment == message.nextFragment else {
                throw .badFragment("fragment \(fragment) of sequence \(sequence), expected \(message.nextFragment)")
            }
            let size = message.bytes.count + raw.count - cursor.offset
            guard size <= limits.maximumMessageSize else {
                throw .messageTooLarge(size: size, limit: limits.maximumMessageSize)
            }
            message.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[cursor.offset...]))
            if fragment == 1 {
                return try decodeMessage(message.bytes, references: message.references, versioned: false)
            }
            try hold(message.bytes.count)
            message.nextFragment -= 1
            partial[sequence] = message
            return .fragment
        case let other:
            throw .badHeader("unknown header tag \(other)")
        }
    }

    /// Takes `bytes` for a sequence kept open, from this connection's limit and the node's budget.
    private mutating func hold(_ bytes: Int) throws(DistributionError) {
        guard partialBytes + bytes <= limits.maximumPartialBytes else {
            throw .fragmentLimit(
                "open sequences would hold \(partialBytes + bytes) bytes, over this connection's limit of \(limits.maximumPartialBytes)"
            )
        }
        if let budget = limits.nodeBudget, !budget.reserve(bytes) {
            throw .fragmentLimit(
                "open sequences of all connections would exceed the node's limit of \(budget.limit) bytes")
        }
        partialBytes += bytes
    }

    private mutating func giveBack(_ bytes: Int) {
        partialBytes -= bytes
        limits.nodeBudget?.release(bytes)
    }

    /// Drops every open sequence and gives its bytes back to the node's budget: call when the
    /// connection ends.
    public mutating func releaseAll() {
        partial = [:]
        giveBack(partialBytes)
    }

    /// Reads the atom cache references of a header and updates the cache.
    private mutating func readAtomCacheReferences(_ cursor: inout HeaderCursor) throws(DistributionError) -> [Atom] {
        let count = Int(try cursor.byte())
        if count == 0 { return [] }
        let flagBytes = try cursor.bytes(count / 2 + 1)
        func nibble(_ i: Int) -> UInt8 { i % 2 == 0 ? flagBytes[i / 2] & 0x0F : flagBytes[i / 2] >> 4 }
        let longAtoms = nibble(count) & 0x01 != 0
        var references: [Atom] = []
        references.reserveCapacity(count)
        for i in 0..<count {
            let flags = nibble(i)
            let index = Int(flags & 0x07) << 8 | Int(try cursor.byte())
            if flags & 0x08 != 0 {
                let length = longAtoms ? Int(try cursor.uint16()) : Int(try cursor.byte())
                let text = try cursor.bytes(length)
                // Read the options first: capturing `self` in the closure would copy it, and the
                // cache write below would then copy the whole cache.
                let options = limits.terms
                let at = cursor.offset - length
                let atom = try text.withUnsafeBytes { raw in
                    Result { () throws(ETFError) in try ETFReader.internAtom(raw, options: options, at: at) }
                }.mapError { DistributionError.badTerm($0) }.get()
                cache[index] = atom
                references.append(atom)
            } else {
                guard let atom = cache[index] else { throw .badHeader("atom cache entry \(index) is empty") }
                references.append(atom)
            }
        }
        return references
    }

    private func decodeMessage(_ bytes: [UInt8], references: [Atom]?, versioned: Bool) throws(DistributionError)
        -> Event
    {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DistributionError) in
                try decodeTerms(raw, from: 0, references: references, versioned: versioned)
            }
        }
        return try result.get()
    }

    private func decodeTerms(
        _ raw: UnsafeRawBufferPointer, from offset: Int, references: [Atom]?, versioned: Bool
    ) throws(DistributionError) -> Event {
        guard raw.count - offset <= limits.maximumMessageSize else {
            throw .messageTooLarge(size: raw.count - offset, limit: limits.maximumMessageSize)
        }
        var reader = ETFReader(bytes: raw, offset: offset, options: limits.terms, atomCacheReferences: references)
        do {
            if versioned { try reader.expectVersion() }
            let controlTerm = try reader.readTerm()
            guard let control = ControlMessage(controlTerm) else {
                throw DistributionError.unknownControlMessage(controlTerm.description.prefix(200).description)
            }
            var payload: Term?
            if reader.remaining > 0 {
                if versioned { try reader.expectVersion() }
                payload = try reader.readTerm()
            }
            guard reader.remaining == 0 else { throw DistributionError.badHeader("\(reader.remaining) trailing bytes") }
            guard control.hasPayload == (payload != nil) else {
                throw DistributionError.badHeader(
                    "payload \(payload == nil ? "missing" : "unexpected") for \(controlTerm)")
            }
            return .message(control, payload: payload)
        } catch let error as ETFError {
            throw .badTerm(error)
        } catch let error as DistributionError {
            throw error
        } catch {
            throw .badHeader("\(error)")
        }
    }
}

/// A bounds-checked cursor over the bytes of a distribution header.
struct HeaderCursor {
    let raw: UnsafeRawBufferPointer
    var offset = 0

    init(_ raw: UnsafeRawBufferPointer) {
        self.raw = raw
    }

    mutating func byte() throws(DistributionError) -> UInt8 {
        guard offset < raw.count else { throw .badHeader("truncated at byte \(offset)") }
        defer { offset += 1 }
        return raw[offset]
    }

    mutating func uint16() throws(DistributionError) -> UInt16 {
        UInt16(try byte()) << 8 | UInt16(try byte())
    }

    mutating func uint64() throws(DistributionError) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(try byte()) }
        return value
    }

    mutating func bytes(_ count: Int) throws(DistributionError) -> [UInt8] {
        guard count <= raw.count - offset else { throw .badHeader("truncated at byte \(offset)") }
        defer { offset += count }
        return Array(raw[offset..<offset + count])
    }
}

enum ETFVersion {
    static let byte: UInt8 = 131
}
