public import ErlangTerm
public import NIOCore

/// The sending half of a distribution connection: encodes control messages and payloads into
/// length-prefixed frames, with a distribution header whose atom cache references replace the
/// atoms the peer has seen before, and splits long messages into fragments.
public struct DistributionOutbound: Sendable {
    /// Messages whose encoded control message and payload exceed this many bytes are sent as
    /// fragments, so a large message does not hold up the small ones behind it (default 256 KiB).
    public var fragmentSize: Int
    /// Whether the peer accepts fragments (`DFLAG_FRAGMENTS`).
    public var fragmentsAllowed: Bool
    private var cache = AtomCache()
    private var references = OutgoingAtomReferences()
    private var nextSequence: UInt64 = 1

    /// A fresh connection's outbound state.
    public init(fragmentSize: Int = 256 * 1024, fragmentsAllowed: Bool = true) {
        self.fragmentSize = max(fragmentSize, 1024)
        self.fragmentsAllowed = fragmentsAllowed
    }

    /// Writes a tick: an empty frame.
    public static func writeTick(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(0))
    }

    /// Appends the frame (or frames) for one message to `buffer`.
    public mutating func write(
        _ control: ControlMessage, payload: Term?, into buffer: inout ByteBuffer
    ) throws(ETFError) {
        let controlTerm = control.term
        // The reference lists are reused between messages; take them out so the closures below
        // do not capture `self`.
        var references = OutgoingAtomReferences()  // empty: no storage allocated
        swap(&references, &self.references)
        defer {
            references.reset()
            self.references = references
        }
        controlTerm.forEachAtom { references.add($0, cache: &cache) }
        payload?.forEachAtom { references.add($0, cache: &cache) }
        let writer = ETFWriter(atomCacheReferences: references.atoms)

        let frameStart = buffer.writerIndex
        buffer.writeInteger(UInt32(0))  // length, patched below
        buffer.writeMultipleIntegers(ETFVersion.byte, UInt8(68))
        let headerEnd = writeReferences(references, into: &buffer)
        do {
            try writer.write(controlTerm, into: &buffer)
            if let payload { try writer.write(payload, into: &buffer) }
        } catch {
            // The cache already names atoms the peer will never see: forget them all, so later
            // messages send every atom in full again.
            cache = AtomCache()
            buffer.moveWriterIndex(to: frameStart)
            throw error
        }
        let bodySize = buffer.writerIndex - headerEnd
        if fragmentsAllowed && bodySize > fragmentSize {
            try refragment(&buffer, frameStart: frameStart, headerEnd: headerEnd)
            return
        }
        buffer.setInteger(UInt32(buffer.writerIndex - frameStart - 4), at: frameStart)
    }

    /// Writes the header's atom cache part (count, flags, references); returns the writer index
    /// after it.
    private func writeReferences(_ references: OutgoingAtomReferences, into buffer: inout ByteBuffer) -> Int {
        let count = references.slots.count
        buffer.writeInteger(UInt8(count))
        guard count > 0 else { return buffer.writerIndex }
        var longAtoms = false
        for (i, slot) in references.slots.enumerated() where references.isNew[i] {
            if cache[slot]!.utf8.count > 255 { longAtoms = true }
        }
        var flags = [UInt8](repeating: 0, count: count / 2 + 1)
        for i in 0...count {
            let nibble: UInt8
            if i == count {
                nibble = longAtoms ? 1 : 0
            } else {
                nibble = (references.isNew[i] ? 0x08 : 0) | UInt8(references.slots[i] >> 8)
            }
            flags[i / 2] |= i % 2 == 0 ? nibble : nibble << 4
        }
        buffer.writeBytes(flags)
        for (i, slot) in references.slots.enumerated() {
            buffer.writeInteger(UInt8(slot & 0xFF))
            if references.isNew[i] {
                let text = cache[slot]!.utf8
                if longAtoms { buffer.writeInteger(UInt16(text.count)) } else { buffer.writeInteger(UInt8(text.count)) }
                buffer.writeBytes(text)
            }
        }
        return buffer.writerIndex
    }

    /// Rewrites the single frame just written (from `frameStart`) as a fragmented sequence: the
    /// first fragment carries the header, the control message and the start of the payload.
    ///
    /// The body is copied out through a raw pointer, never as a slice of `buffer`: a slice would
    /// share the buffer's storage and make the rewrite copy the whole buffer.
    private mutating func refragment(_ buffer: inout ByteBuffer, frameStart: Int, headerEnd: Int) throws(ETFError) {
        let references = buffer.getBytes(at: frameStart + 6, length: headerEnd - frameStart - 6)!
        let bodyCount = buffer.writerIndex - headerEnd
        var body = [UInt8](repeating: 0, count: bodyCount)
        body.withUnsafeMutableBytes { target in
            buffer.withVeryUnsafeBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[headerEnd..<headerEnd + bodyCount]))
            }
        }
        buffer.moveWriterIndex(to: frameStart)
        let sequence = nextSequence
        nextSequence &+= 1
        let chunks = (bodyCount + fragmentSize - 1) / fragmentSize
        body.withUnsafeBytes { raw in
            for index in 0..<chunks {
                let fragmentID = UInt64(chunks - index)
                let start = index * fragmentSize
                let chunk = UnsafeRawBufferPointer(rebasing: raw[start..<min(start + fragmentSize, bodyCount)])
                let headerSize = index == 0 ? 2 + 16 + references.count : 2 + 16
                buffer.writeInteger(UInt32(headerSize + chunk.count))
                buffer.writeMultipleIntegers(ETFVersion.byte, UInt8(index == 0 ? 69 : 70), sequence, fragmentID)
                if index == 0 { buffer.writeBytes(references) }
                buffer.writeBytes(chunk)
            }
        }
    }
}
