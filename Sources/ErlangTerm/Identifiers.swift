/// An Erlang process identifier: the node it lives on, its number and serial, and the creation
/// (incarnation) of that node.
public struct PID: Sendable, Hashable, CustomStringConvertible {
    /// The name of the node that owns the process.
    public var node: Atom
    /// The process number on that node.
    public var id: UInt32
    /// The serial, which grows when process numbers wrap.
    public var serial: UInt32
    /// The node's creation when the process was made; distinguishes incarnations of a node.
    public var creation: UInt32

    /// Creates a pid.
    public init(node: Atom, id: UInt32, serial: UInt32, creation: UInt32) {
        self.node = node
        self.id = id
        self.serial = serial
        self.creation = creation
    }

    /// `<node.id.serial>`, as OTP prints a pid with its node name (not the local `<0.x.y>` form,
    /// which depends on the viewer).
    public var description: String { "<\(node.name).\(id).\(serial)>" }
}

/// An Erlang port identifier. Ports cannot be used across nodes, but they can be sent and compared.
public struct ErlangPort: Sendable, Hashable, CustomStringConvertible {
    /// The name of the node that owns the port.
    public var node: Atom
    /// The port number (64 bits since OTP 24's `V4_PORT_EXT`).
    public var id: UInt64
    /// The node's creation.
    public var creation: UInt32

    /// Creates a port identifier.
    public init(node: Atom, id: UInt64, creation: UInt32) {
        self.node = node
        self.id = id
        self.creation = creation
    }

    /// `#Port<node.id>`.
    public var description: String { "#Port<\(node.name).\(id)>" }
}

/// An Erlang reference: one to five 32-bit words, unique per node and creation.
public struct Reference: Sendable, Hashable, CustomStringConvertible {
    /// The name of the node that made the reference.
    public var node: Atom
    /// The node's creation.
    public var creation: UInt32
    /// The reference's words, 0 to 5 of them (uninterpreted data; OTP makes 3, aliases 4 or 5,
    /// and accepts 0 from the wire).
    public private(set) var ids: [UInt32]

    /// The most words a reference may hold (OTP 26's `DFLAG_V4_NC`).
    public static let maximumWords = 5

    /// Creates a reference.
    /// - Precondition: `ids` holds at most 5 words.
    public init(node: Atom, creation: UInt32, ids: [UInt32]) {
        precondition(ids.count <= Reference.maximumWords, "a reference has at most 5 words")
        self.node = node
        self.creation = creation
        self.ids = ids
    }

    /// `#Ref<node.w0.w1.w2>`, the words in OTP's printing order (last word first).
    public var description: String {
        "#Ref<\(node.name)." + ids.reversed().map(String.init).joined(separator: ".") + ">"
    }
}

/// An external fun, `fun Module:Function/Arity`.
public struct ExportFun: Sendable, Hashable, CustomStringConvertible {
    /// The module.
    public var module: Atom
    /// The function.
    public var function: Atom
    /// The arity.
    public var arity: UInt8

    /// Creates an external fun.
    public init(module: Atom, function: Atom, arity: UInt8) {
        self.module = module
        self.function = function
        self.arity = arity
    }

    /// `fun m:f/a`.
    public var description: String { "fun \(module):\(function)/\(arity)" }
}

/// A local fun (closure) from an Erlang node. Colony cannot run it, but keeps every field so that
/// it can be stored, compared and sent back unchanged.
public struct ErlangFun: Sendable, Hashable, CustomStringConvertible {
    /// The arity of the function that implements the fun.
    public var arity: UInt8
    /// MD5 of the significant parts of the module's BEAM file (16 bytes).
    public var uniq: [UInt8]
    /// The fun's index in its module.
    public var index: UInt32
    /// The module that implements the fun.
    public var module: Atom
    /// The old-style index.
    public var oldIndex: Int
    /// The old-style uniq (hash of the fun's parse tree).
    public var oldUniq: Int
    /// The process that created the fun.
    public var pid: PID
    /// The captured free variables.
    public var freeVariables: [Term]

    /// Creates a fun value.
    public init(
        arity: UInt8, uniq: [UInt8], index: UInt32, module: Atom, oldIndex: Int, oldUniq: Int, pid: PID,
        freeVariables: [Term]
    ) {
        precondition(uniq.count == 16, "a fun's uniq is 16 bytes")
        self.arity = arity
        self.uniq = uniq
        self.index = index
        self.module = module
        self.oldIndex = oldIndex
        self.oldUniq = oldUniq
        self.pid = pid
        self.freeVariables = freeVariables
    }

    /// `#Fun<module.index.olduniq>`, as OTP prints it.
    public var description: String { "#Fun<\(module.name).\(index).\(oldUniq)>" }
}

/// A bitstring whose length is not a whole number of bytes.
public struct Bitstring: Sendable, Hashable, CustomStringConvertible {
    /// The bytes; the last one holds `bitsInLastByte` significant bits, from its high end, and its
    /// unused low bits are zero.
    public private(set) var bytes: [UInt8]
    /// How many bits of the last byte belong to the bitstring, 1 to 7.
    public private(set) var bitsInLastByte: UInt8

    /// Creates a bitstring; the unused low bits of the last byte are cleared.
    /// - Precondition: `bytes` is not empty and `bitsInLastByte` is 1 to 7.
    public init(bytes: [UInt8], bitsInLastByte: UInt8) {
        precondition(!bytes.isEmpty && (1...7).contains(bitsInLastByte), "a bitstring ends in a partial byte")
        var bytes = bytes
        bytes[bytes.count - 1] &= ~(UInt8(0xFF) >> bitsInLastByte)
        self.bytes = bytes
        self.bitsInLastByte = bitsInLastByte
    }

    /// The length in bits.
    public var bitCount: Int { (bytes.count - 1) * 8 + Int(bitsInLastByte) }

    /// `<<1,2,3:4>>`.
    public var description: String {
        let full = bytes.dropLast().map(String.init)
        let last = "\(bytes[bytes.count - 1] >> (8 - bitsInLastByte)):\(bitsInLastByte)"
        return "<<" + (full + [last]).joined(separator: ",") + ">>"
    }
}
