public import NIOCore

/// Encodes ``Term`` values in the External Term Format, straight into a `ByteBuffer`.
///
/// The encoding is OTP's canonical one, so a term decoded from `term_to_binary` output re-encodes
/// to the same bytes: the smallest integer encoding, `STRING_EXT` for byte lists, UTF-8 atoms,
/// `NEW_FLOAT_EXT`, `NEW_PID_EXT`, `NEWER_REFERENCE_EXT`, `NEW_PORT_EXT` (`V4_PORT_EXT` for a
/// port number beyond 32 bits), and map pairs in their stored order. The writer emits no version
/// byte: ``ETF`` adds it, and the distribution layer writes terms after its own header.
///
/// Like OTP's encoder it makes two passes: one sizes the term (and rejects what cannot be
/// encoded), the other stores bytes through a raw pointer into space reserved once.
public struct ETFWriter {
    /// The atoms a distribution header names, in reference-index order: each is written as an
    /// `ATOM_CACHE_REF` to its index; every other atom is written in full. Empty outside the
    /// distribution layer. A message names few atoms, so lookups are a linear scan.
    public var atomCacheReferences: [Atom]

    /// A writer; `atomCacheReferences` is used by the distribution layer.
    public init(atomCacheReferences: [Atom] = []) {
        self.atomCacheReferences = atomCacheReferences
    }

    /// Writes `term` (tag and data) at the buffer's writer index.
    public func write(_ term: Term, into buffer: inout ByteBuffer) throws(ETFError) {
        let size = try ETFSize.of(term, at: buffer.writerIndex)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var output = ETFRawOutput(base: raw.baseAddress!, references: atomCacheReferences)
            output.write(term)
            return output.offset
        }
    }

    /// Appends `term` (tag and data) to `bytes`.
    public func write(_ term: Term, into bytes: inout [UInt8]) throws(ETFError) {
        let size = try ETFSize.of(term, at: bytes.count)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        let written = bytes.withUnsafeMutableBytes { raw in
            var output = ETFRawOutput(base: raw.baseAddress! + start, references: atomCacheReferences)
            output.write(term)
            return output.offset
        }
        bytes.removeLast(size - written)
    }
}

/// The sizing pass: an upper bound of a term's encoded size (exact without an atom cache).
enum ETFSize {
    static func of(_ term: Term, at offset: Int) throws(ETFError) -> Int {
        switch term {
        case .integer(let i):
            if i >= 0 && i <= 255 { return 2 }
            if i >= Int(Int32.min) && i <= Int(Int32.max) { return 5 }
            return 3 + (UInt.bitWidth - i.magnitude.leadingZeroBitCount + 7) / 8
        case .atom(let a):
            return atom(a)
        case .tuple(let elements):
            var size = elements.count <= 255 ? 2 : 5
            for element in elements { size += try of(element, at: offset) }
            return size
        case .binary(let bytes):
            return 5 + bytes.count
        case .list(let elements):
            if elements.isEmpty { return 1 }
            if elements.count <= 65535, ETFRawOutput.isByteList(elements) { return 3 + elements.count }
            var size = 6
            for element in elements { size += try of(element, at: offset) }
            return size
        case .improperList(let elements, let tail):
            var size = 5 + (try of(tail, at: offset))
            for element in elements { size += try of(element, at: offset) }
            return size
        case .map(let map):
            var size = 5
            for (key, value) in map.pairs { size += try of(key, at: offset) + of(value, at: offset) }
            return size
        case .float(let f):
            guard f.isFinite else { throw ETFError(.unencodable("non-finite float \(f)"), at: offset) }
            return 9
        case .bigInteger(let b):
            return (b.magnitude.count <= 255 ? 3 : 6) + b.magnitude.count
        case .pid(let pid):
            return 13 + atom(pid.node)
        case .reference(let ref):
            return 7 + atom(ref.node) + 4 * ref.ids.count
        case .port(let port):
            return (port.id <= UInt64(UInt32.max) ? 9 : 13) + atom(port.node)
        case .bitstring(let bits):
            return 6 + bits.bytes.count
        case .export(let export):
            return 3 + atom(export.module) + atom(export.function)
        case .fun(let fun):
            // OldIndex and OldUniq are SMALL_INTEGER_EXT or INTEGER_EXT on the wire: 32 bits at most.
            let int32 = Int(Int32.min)...Int(Int32.max)
            guard int32.contains(fun.oldIndex), int32.contains(fun.oldUniq) else {
                throw ETFError(.unencodable("fun old index or old uniq beyond 32 bits"), at: offset)
            }
            var size = 1 + 4 + 1 + 16 + 4 + 4 + atom(fun.module) + 10 + 13 + atom(fun.pid.node)
            for value in fun.freeVariables { size += try of(value, at: offset) }
            return size
        case .local(let bytes):
            return 1 + bytes.count
        }
    }

    @inline(__always)
    static func atom(_ atom: Atom) -> Int {
        let count = atom.utf8Bytes.count
        return count <= 255 ? 2 + count : 3 + count
    }
}

/// The storing pass: writes through a raw pointer into space the sizing pass reserved.
struct ETFRawOutput {
    let base: UnsafeMutableRawPointer
    let references: [Atom]
    var offset = 0

    init(base: UnsafeMutableRawPointer, references: [Atom] = []) {
        self.base = base
        self.references = references
    }

    @inline(__always)
    mutating func put<T: FixedWidthInteger>(_ value: T) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
        offset &+= MemoryLayout<T>.size
    }

    @inline(__always)
    mutating func put(bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            if let source = raw.baseAddress { (base + offset).copyMemory(from: source, byteCount: raw.count) }
        }
        offset &+= bytes.count
    }

    mutating func write(_ term: Term) {
        switch term {
        case .integer(let i):
            writeInteger(i)
        case .atom(let a):
            writeAtom(a)
        case .tuple(let elements):
            if elements.count <= 255 {
                put(ETFTag.smallTuple)
                put(UInt8(elements.count))
            } else {
                put(ETFTag.largeTuple)
                put(UInt32(elements.count))
            }
            for element in elements { write(element) }
        case .binary(let bytes):
            put(ETFTag.binary)
            put(UInt32(bytes.count))
            put(bytes: bytes)
        case .list(let elements):
            writeList(elements)
        case .improperList(let elements, let tail):
            put(ETFTag.list)
            put(UInt32(elements.count))
            for element in elements { write(element) }
            write(tail)
        case .map(let map):
            put(ETFTag.map)
            put(UInt32(map.count))
            for (key, value) in map.pairs {
                write(key)
                write(value)
            }
        case .float(let f):
            put(ETFTag.newFloat)
            put(f.bitPattern)
        case .bigInteger(let b):
            if b.magnitude.count <= 255 {
                put(ETFTag.smallBig)
                put(UInt8(b.magnitude.count))
            } else {
                put(ETFTag.largeBig)
                put(UInt32(b.magnitude.count))
            }
            put(UInt8(b.isNegative ? 1 : 0))
            put(bytes: b.magnitude)
        case .pid(let pid):
            writePID(pid)
        case .reference(let ref):
            put(ETFTag.newerReference)
            put(UInt16(ref.ids.count))
            writeAtom(ref.node)
            put(ref.creation)
            for word in ref.ids { put(word) }
        case .port(let port):
            put(port.id <= UInt64(UInt32.max) ? ETFTag.newPort : ETFTag.v4Port)
            writeAtom(port.node)
            if port.id <= UInt64(UInt32.max) { put(UInt32(port.id)) } else { put(port.id) }
            put(port.creation)
        case .bitstring(let bits):
            put(ETFTag.bitBinary)
            put(UInt32(bits.bytes.count))
            put(bits.bitsInLastByte)
            put(bytes: bits.bytes)
        case .export(let export):
            put(ETFTag.export)
            writeAtom(export.module)
            writeAtom(export.function)
            put(ETFTag.smallInteger)
            put(export.arity)
        case .fun(let fun):
            writeFun(fun)
        case .local(let bytes):
            put(ETFTag.local)
            put(bytes: bytes)
        }
    }

    @inline(__always)
    mutating func writeInteger(_ i: Int) {
        if i >= 0 && i <= 255 {
            put(ETFTag.smallInteger)
            put(UInt8(i))
        } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
            put(ETFTag.integer)
            put(Int32(i))
        } else {
            var magnitude = i.magnitude
            let count = (UInt.bitWidth - magnitude.leadingZeroBitCount + 7) / 8
            put(ETFTag.smallBig)
            put(UInt8(count))
            put(UInt8(i < 0 ? 1 : 0))
            for _ in 0..<count {
                put(UInt8(truncatingIfNeeded: magnitude))
                magnitude >>= 8
            }
        }
    }

    @inline(__always)
    mutating func writeAtom(_ atom: Atom) {
        if !references.isEmpty, let index = references.firstIndex(of: atom) {
            put(ETFTag.atomCacheReference)
            put(UInt8(truncatingIfNeeded: index))
            return
        }
        let utf8 = atom.utf8Bytes
        if utf8.count <= 255 {
            put(ETFTag.smallAtomUTF8)
            put(UInt8(utf8.count))
        } else {
            put(ETFTag.atomUTF8)
            put(UInt16(utf8.count))
        }
        if let source = utf8.baseAddress { (base + offset).copyMemory(from: source, byteCount: utf8.count) }
        offset &+= utf8.count
    }

    mutating func writePID(_ pid: PID) {
        put(ETFTag.newPid)
        writeAtom(pid.node)
        put(pid.id)
        put(pid.serial)
        put(pid.creation)
    }

    mutating func writeList(_ elements: [Term]) {
        if elements.isEmpty {
            put(ETFTag.nil)
            return
        }
        if elements.count <= 65535, ETFRawOutput.isByteList(elements) {
            put(ETFTag.string)
            put(UInt16(elements.count))
            for case .integer(let byte) in elements { put(UInt8(byte)) }
            return
        }
        put(ETFTag.list)
        put(UInt32(elements.count))
        for element in elements { write(element) }
        put(ETFTag.nil)
    }

    static func isByteList(_ elements: [Term]) -> Bool {
        for element in elements {
            guard case .integer(let i) = element, i >= 0, i <= 255 else { return false }
        }
        return true
    }

    mutating func writeFun(_ fun: ErlangFun) {
        put(ETFTag.newFun)
        let sizeOffset = offset
        put(UInt32(0))
        put(fun.arity)
        put(bytes: fun.uniq)
        put(fun.index)
        put(UInt32(fun.freeVariables.count))
        writeAtom(fun.module)
        writeInteger(fun.oldIndex)
        writeInteger(fun.oldUniq)
        writePID(fun.pid)
        for value in fun.freeVariables { write(value) }
        base.storeBytes(of: UInt32(offset - sizeOffset).bigEndian, toByteOffset: sizeOffset, as: UInt32.self)
    }
}
