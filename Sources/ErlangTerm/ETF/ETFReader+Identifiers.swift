extension ETFReader {
    /// Reads an atom in any of its encodings (the tag has been read).
    mutating func readAtom(tag: UInt8) throws(ETFError) -> Atom {
        let start = offset - 1
        let length: Int
        let latin1: Bool
        switch tag {
        case ETFTag.smallAtomUTF8:
            length = Int(try readUInt8())
            latin1 = false
        case ETFTag.atomUTF8:
            length = Int(try readUInt16())
            latin1 = false
        case ETFTag.smallAtom:
            length = Int(try readUInt8())
            latin1 = true
        case ETFTag.atom:
            length = Int(try readUInt16())
            latin1 = true
        case ETFTag.atomCacheReference:
            let index = Int(try readUInt8())
            guard let refs = atomCacheReferences, index < refs.count else {
                throw ETFError(.invalidAtomCacheReference(index), at: start)
            }
            return refs[index]
        default:
            throw ETFError(.unknownTag(tag), at: start)
        }
        try need(length)
        let text = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        offset += length
        return try ETFReader.intern(text, latin1: latin1, options: options, table: atomTable, at: start)
    }

    /// Reads a tag and then an atom.
    mutating func readTaggedAtom() throws(ETFError) -> Atom {
        try readAtom(tag: try readUInt8())
    }

    /// Interns atom text read from the wire, after validating it.
    static func intern(
        _ text: UnsafeRawBufferPointer, latin1: Bool, options: ETFDecodingOptions, table: AtomTable, at start: Int
    ) throws(ETFError) -> Atom {
        var ascii = true
        for byte in text where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            guard text.count <= Atom.maximumCharacters else { throw ETFError(.invalidAtom, at: start) }
            return try internValidated(text, options: options, table: table, at: start)
        }
        if latin1 {
            guard text.count <= Atom.maximumCharacters else { throw ETFError(.invalidAtom, at: start) }
            var utf8: [UInt8] = []
            utf8.reserveCapacity(text.count * 2)
            for byte in text {
                if byte < 0x80 {
                    utf8.append(byte)
                } else {
                    utf8.append(0xC0 | byte >> 6)
                    utf8.append(0x80 | byte & 0x3F)
                }
            }
            return try utf8.withUnsafeBytes { buffer in
                Result { () throws(ETFError) in try internValidated(buffer, options: options, table: table, at: start) }
            }.get()
        }
        guard let string = String(validating: text, as: UTF8.self),
            string.unicodeScalars.count <= Atom.maximumCharacters
        else { throw ETFError(.invalidAtom, at: start) }
        return try internValidated(text, options: options, table: table, at: start)
    }

    private static func internValidated(
        _ utf8: UnsafeRawBufferPointer, options: ETFDecodingOptions, table: AtomTable, at start: Int
    ) throws(ETFError) -> Atom {
        if options.createsAtoms {
            guard let atom = table.intern(utf8: utf8, fromInput: true) else {
                throw ETFError(.atomLimitExceeded, at: start)
            }
            return atom
        }
        guard let atom = table.existing(utf8: utf8) else {
            throw ETFError(.unknownAtom(String(decoding: utf8, as: UTF8.self)), at: start)
        }
        return atom
    }

    mutating func readPID(tag: UInt8) throws(ETFError) -> PID {
        let node = try readTaggedAtom()
        let id = try readUInt32()
        let serial = try readUInt32()
        let creation = tag == ETFTag.newPid ? try readUInt32() : UInt32(try readUInt8())
        return PID(node: node, id: id, serial: serial, creation: creation)
    }

    mutating func readPort(tag: UInt8) throws(ETFError) -> ErlangPort {
        let node = try readTaggedAtom()
        let id = tag == ETFTag.v4Port ? try readUInt64() : UInt64(try readUInt32())
        let creation = tag == ETFTag.port ? UInt32(try readUInt8()) : try readUInt32()
        return ErlangPort(node: node, id: id, creation: creation)
    }

    mutating func readReference(tag: UInt8) throws(ETFError) -> Reference {
        let start = offset - 1
        if tag == ETFTag.reference {
            let node = try readTaggedAtom()
            let id = try readUInt32()
            let creation = UInt32(try readUInt8())
            return Reference(node: node, creation: creation, ids: [id])
        }
        let count = Int(try readUInt16())
        guard (0...Reference.maximumWords).contains(count) else {
            throw ETFError(.invalidField("reference with \(count) words"), at: start)
        }
        let node = try readTaggedAtom()
        let creation = tag == ETFTag.newerReference ? try readUInt32() : UInt32(try readUInt8())
        var ids: [UInt32] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try readUInt32()) }
        return Reference(node: node, creation: creation, ids: ids)
    }

    mutating func readExport() throws(ETFError) -> ExportFun {
        let module = try readTaggedAtom()
        let function = try readTaggedAtom()
        let start = offset
        // OTP writes the arity as SMALL_INTEGER_EXT and also reads an INTEGER_EXT of 0...255.
        let arity = try readSmallInteger(field: "export arity")
        guard (0...255).contains(arity) else {
            throw ETFError(.invalidField("export arity \(arity)"), at: start)
        }
        return ExportFun(module: module, function: function, arity: UInt8(arity))
    }

    mutating func readFun() throws(ETFError) -> ErlangFun {
        let start = offset - 1
        let size = Int(try readUInt32())
        // Size counts itself and everything after the tag.
        guard size >= 4, size - 4 <= remaining else {
            throw ETFError(.lengthExceedsInput(length: size, remaining: remaining), at: start)
        }
        let arity = try readUInt8()
        let uniq = try readBytes(16)
        let index = try readUInt32()
        let freeCount = Int(try readUInt32())
        try checkCount(freeCount, minimumSize: 1)
        let module = try readTaggedAtom()
        let oldIndex = try readSmallInteger(field: "fun old index")
        let oldUniq = try readSmallInteger(field: "fun old uniq")
        let pidTag = try readUInt8()
        guard pidTag == ETFTag.newPid || pidTag == ETFTag.pid else {
            throw ETFError(.invalidField("fun pid has tag \(pidTag)"), at: offset - 1)
        }
        let pid = try readPID(tag: pidTag)
        let free = try readElements(freeCount)
        // OTP does not check the size field beyond this; Colony recomputes it on encoding.
        return ErlangFun(
            arity: arity, uniq: uniq, index: index, module: module, oldIndex: oldIndex, oldUniq: oldUniq, pid: pid,
            freeVariables: free)
    }

    private mutating func readSmallInteger(field: String) throws(ETFError) -> Int {
        let start = offset
        switch try readUInt8() {
        case ETFTag.smallInteger: return Int(try readUInt8())
        case ETFTag.integer: return Int(Int32(bitPattern: try readUInt32()))
        default: throw ETFError(.invalidField("\(field) is not an integer"), at: start)
        }
    }
}
