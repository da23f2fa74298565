public import NIOCore

/// Encodes ``Term`` values in the External Term Format, straight into a `ByteBuffer`.
///
/// The encoding is OTP's canonical one, so a term decoded from `term_to_binary` output re-encodes
/// to the same bytes: the smallest integer encoding, `STRING_EXT` for byte lists, UTF-8 atoms,
/// `NEW_FLOAT_EXT`, `NEW_PID_EXT`, `NEWER_REFERENCE_EXT`, `NEW_PORT_EXT` (`V4_PORT_EXT` for a
/// port number beyond 32 bits), and map pairs in their stored order. The writer emits no version
/// byte: ``ETF`` adds it, and the distribution layer writes terms after its own header.
public struct ETFWriter {
    /// Returns the distribution atom cache index for an atom, or `nil` to write it in full.
    public var atomCacheReference: ((Atom) -> UInt8?)?

    /// A writer; `atomCacheReference` is used by the distribution layer.
    public init(atomCacheReference: ((Atom) -> UInt8?)? = nil) {
        self.atomCacheReference = atomCacheReference
    }

    /// Writes `term` (tag and data) at the buffer's writer index.
    public func write(_ term: Term, into buffer: inout ByteBuffer) throws(ETFError) {
        switch term {
        case .integer(let i):
            writeInteger(i, into: &buffer)
        case .atom(let a):
            writeAtom(a, into: &buffer)
        case .tuple(let elements):
            if elements.count <= 255 {
                buffer.writeMultipleIntegers(ETFTag.smallTuple, UInt8(elements.count))
            } else {
                buffer.writeMultipleIntegers(ETFTag.largeTuple, UInt32(elements.count))
            }
            for element in elements { try write(element, into: &buffer) }
        case .binary(let bytes):
            buffer.writeMultipleIntegers(ETFTag.binary, UInt32(bytes.count))
            buffer.writeBytes(bytes)
        case .list(let elements):
            try writeList(elements, into: &buffer)
        case .improperList(let elements, let tail):
            buffer.writeMultipleIntegers(ETFTag.list, UInt32(elements.count))
            for element in elements { try write(element, into: &buffer) }
            try write(tail, into: &buffer)
        case .map(let map):
            buffer.writeMultipleIntegers(ETFTag.map, UInt32(map.count))
            for (key, value) in map.pairs {
                try write(key, into: &buffer)
                try write(value, into: &buffer)
            }
        case .float(let f):
            guard f.isFinite else { throw ETFError(.unencodable("non-finite float \(f)"), at: buffer.writerIndex) }
            buffer.writeMultipleIntegers(ETFTag.newFloat, f.bitPattern)
        case .bigInteger(let b):
            writeBig(isNegative: b.isNegative, magnitude: b.magnitude, into: &buffer)
        case .pid(let pid):
            writePID(pid, into: &buffer)
        case .reference(let ref):
            buffer.writeMultipleIntegers(ETFTag.newerReference, UInt16(ref.ids.count))
            writeAtom(ref.node, into: &buffer)
            buffer.writeInteger(ref.creation)
            for word in ref.ids { buffer.writeInteger(word) }
        case .port(let port):
            if port.id <= UInt64(UInt32.max) {
                buffer.writeInteger(ETFTag.newPort)
                writeAtom(port.node, into: &buffer)
                buffer.writeMultipleIntegers(UInt32(port.id), port.creation)
            } else {
                buffer.writeInteger(ETFTag.v4Port)
                writeAtom(port.node, into: &buffer)
                buffer.writeMultipleIntegers(port.id, port.creation)
            }
        case .bitstring(let bits):
            buffer.writeMultipleIntegers(ETFTag.bitBinary, UInt32(bits.bytes.count), bits.bitsInLastByte)
            buffer.writeBytes(bits.bytes)
        case .export(let export):
            buffer.writeInteger(ETFTag.export)
            writeAtom(export.module, into: &buffer)
            writeAtom(export.function, into: &buffer)
            buffer.writeMultipleIntegers(ETFTag.smallInteger, export.arity)
        case .fun(let fun):
            try writeFun(fun, into: &buffer)
        case .local(let bytes):
            buffer.writeInteger(ETFTag.local)
            buffer.writeBytes(bytes)
        }
    }

    @inline(__always)
    func writeInteger(_ i: Int, into buffer: inout ByteBuffer) {
        if i >= 0 && i <= 255 {
            buffer.writeMultipleIntegers(ETFTag.smallInteger, UInt8(i))
        } else if i >= Int(Int32.min) && i <= Int(Int32.max) {
            buffer.writeMultipleIntegers(ETFTag.integer, Int32(i))
        } else {
            var magnitude = i.magnitude
            let count = (UInt.bitWidth - magnitude.leadingZeroBitCount + 7) / 8
            buffer.writeMultipleIntegers(ETFTag.smallBig, UInt8(count), UInt8(i < 0 ? 1 : 0))
            for _ in 0..<count {
                buffer.writeInteger(UInt8(truncatingIfNeeded: magnitude))
                magnitude >>= 8
            }
        }
    }

    func writeBig(isNegative: Bool, magnitude: [UInt8], into buffer: inout ByteBuffer) {
        if magnitude.count <= 255 {
            buffer.writeMultipleIntegers(ETFTag.smallBig, UInt8(magnitude.count), UInt8(isNegative ? 1 : 0))
        } else {
            buffer.writeMultipleIntegers(ETFTag.largeBig, UInt32(magnitude.count), UInt8(isNegative ? 1 : 0))
        }
        buffer.writeBytes(magnitude)
    }

    @inline(__always)
    func writeAtom(_ atom: Atom, into buffer: inout ByteBuffer) {
        if let atomCacheReference, let index = atomCacheReference(atom) {
            buffer.writeMultipleIntegers(ETFTag.atomCacheReference, index)
            return
        }
        let utf8 = atom.utf8
        if utf8.count <= 255 {
            buffer.writeMultipleIntegers(ETFTag.smallAtomUTF8, UInt8(utf8.count))
        } else {
            buffer.writeMultipleIntegers(ETFTag.atomUTF8, UInt16(utf8.count))
        }
        buffer.writeBytes(utf8)
    }

    func writePID(_ pid: PID, into buffer: inout ByteBuffer) {
        buffer.writeInteger(ETFTag.newPid)
        writeAtom(pid.node, into: &buffer)
        buffer.writeMultipleIntegers(pid.id, pid.serial, pid.creation)
    }

    func writeList(_ elements: [Term], into buffer: inout ByteBuffer) throws(ETFError) {
        if elements.isEmpty {
            buffer.writeInteger(ETFTag.nil)
            return
        }
        if elements.count <= 65535, ETFWriter.isByteList(elements) {
            buffer.writeMultipleIntegers(ETFTag.string, UInt16(elements.count))
            for case .integer(let byte) in elements { buffer.writeInteger(UInt8(byte)) }
            return
        }
        buffer.writeMultipleIntegers(ETFTag.list, UInt32(elements.count))
        for element in elements { try write(element, into: &buffer) }
        buffer.writeInteger(ETFTag.nil)
    }

    static func isByteList(_ elements: [Term]) -> Bool {
        for element in elements {
            guard case .integer(let i) = element, i >= 0, i <= 255 else { return false }
        }
        return true
    }

    func writeFun(_ fun: ErlangFun, into buffer: inout ByteBuffer) throws(ETFError) {
        buffer.writeInteger(ETFTag.newFun)
        let sizeIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(fun.arity)
        buffer.writeBytes(fun.uniq)
        buffer.writeMultipleIntegers(fun.index, UInt32(fun.freeVariables.count))
        writeAtom(fun.module, into: &buffer)
        writeInteger(fun.oldIndex, into: &buffer)
        writeInteger(fun.oldUniq, into: &buffer)
        writePID(fun.pid, into: &buffer)
        for value in fun.freeVariables { try write(value, into: &buffer) }
        buffer.setInteger(UInt32(buffer.writerIndex - sizeIndex), at: sizeIndex)
    }
}
