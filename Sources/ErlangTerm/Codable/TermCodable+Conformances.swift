// Codable conformances of Colony's term types.
//
// With TermEncoder and TermDecoder each of these types is its own term: a `Term` property is
// written as that term, a `PID` as the pid, and so on, and decoding takes the term back as it is.
//
// With other coders (JSON, property lists):
// - `Term` and `TermMap` throw `TermCodingError.unsupportedCoder`: they have no faithful form
//   there;
// - `Atom` is its name as a string (decoding creates the atom under the atom table's input cap);
// - `BigInteger` is its value as a decimal string, such as "-18446744073709551616";
// - `PID`, `ErlangPort` and `Reference` are keyed values with their fields:
//   `{node, id, serial, creation}`, `{node, id, creation}` and `{node, creation, ids}`.

// MARK: - Helpers

extension TermPrimitiveCodable {
    /// Stores the value's own term when `encoder` is a term encoder.
    fileprivate func encodeAsTerm(to encoder: any Encoder) throws -> Bool {
        guard let encoder = encoder as? TermEncoderImpl else { return false }
        encoder.store(try encodedTerm(codingPath: encoder.codingPath))
        return true
    }

    /// The value read from a term decoder's term, or `nil` when `decoder` is another decoder.
    fileprivate static func decodeAsTerm(from decoder: any Decoder) throws -> Self? {
        guard let decoder = decoder as? TermDecoderImpl else { return nil }
        return try decoded(from: decoder.term, codingPath: decoder.codingPath)
    }
}

// MARK: - Codable

extension Term: Codable {
    /// Writes the term itself with ``TermEncoder``.
    ///
    /// - Throws: ``TermCodingError/unsupportedCoder(type:codingPath:)`` with any other encoder.
    public func encode(to encoder: any Encoder) throws {
        guard try encodeAsTerm(to: encoder) else {
            throw TermCodingError.unsupportedCoder(type: "Term", codingPath: encoder.codingPath)
        }
    }

    /// Takes the term as it is with ``TermDecoder``.
    ///
    /// - Throws: ``TermCodingError/unsupportedCoder(type:codingPath:)`` with any other decoder.
    public init(from decoder: any Decoder) throws {
        guard let term = try Self.decodeAsTerm(from: decoder) else {
            throw TermCodingError.unsupportedCoder(type: "Term", codingPath: decoder.codingPath)
        }
        self = term
    }
}

extension TermMap: Codable {
    /// Writes the map itself, pairs in their stored order, with ``TermEncoder``.
    ///
    /// - Throws: ``TermCodingError/unsupportedCoder(type:codingPath:)`` with any other encoder.
    public func encode(to encoder: any Encoder) throws {
        guard try encodeAsTerm(to: encoder) else {
            throw TermCodingError.unsupportedCoder(type: "TermMap", codingPath: encoder.codingPath)
        }
    }

    /// Takes a map term as it is with ``TermDecoder``.
    ///
    /// - Throws: ``TermCodingError`` when the term is not a map, or with any other decoder.
    public init(from decoder: any Decoder) throws {
        guard let map = try Self.decodeAsTerm(from: decoder) else {
            throw TermCodingError.unsupportedCoder(type: "TermMap", codingPath: decoder.codingPath)
        }
        self = map
    }
}

extension Atom: Codable {
    /// Writes the atom with ``TermEncoder``, its name as a string with other encoders.
    public func encode(to encoder: any Encoder) throws {
        guard try !encodeAsTerm(to: encoder) else { return }
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }

    /// Reads an atom (or a binary naming one) with ``TermDecoder``, a string with other decoders.
    /// An atom that does not exist yet counts against ``AtomTable/inputLimit``.
    public init(from decoder: any Decoder) throws {
        if let atom = try Self.decodeAsTerm(from: decoder) {
            self = atom
            return
        }
        let name = try decoder.singleValueContainer().decode(String.self)
        self = try TermDecodingContext.inputAtom(
            from: .string(name), codingPath: decoder.codingPath)
    }
}

extension BigInteger: Codable {
    /// Writes an integer term with ``TermEncoder``, a decimal string with other encoders.
    public func encode(to encoder: any Encoder) throws {
        guard try !encodeAsTerm(to: encoder) else { return }
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Reads an integer term with ``TermDecoder``, a decimal string with other decoders.
    public init(from decoder: any Decoder) throws {
        if let value = try Self.decodeAsTerm(from: decoder) {
            self = value
            return
        }
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = BigInteger(decimalText: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a decimal integer")
        }
        self = value
    }

    /// Parses an optionally signed decimal integer.
    fileprivate init?(decimalText text: String) {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var magnitude: [UInt8] = []  // little-endian
        for character in digits {
            guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
            var carry = digit
            for index in magnitude.indices {
                let product = Int(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(truncatingIfNeeded: product)
                carry = product >> 8
            }
            while carry > 0 {
                magnitude.append(UInt8(truncatingIfNeeded: carry))
                carry >>= 8
            }
        }
        self.init(isNegative: negative, magnitude: magnitude)
    }
}

private enum PIDKeys: String, CodingKey { case node, id, serial, creation }

extension PID: Codable {
    /// Writes the pid with ``TermEncoder``; its fields `node`, `id`, `serial`, `creation` with
    /// other encoders.
    public func encode(to encoder: any Encoder) throws {
        guard try !encodeAsTerm(to: encoder) else { return }
        var container = encoder.container(keyedBy: PIDKeys.self)
        try container.encode(node, forKey: .node)
        try container.encode(id, forKey: .id)
        try container.encode(serial, forKey: .serial)
        try container.encode(creation, forKey: .creation)
    }

    /// Reads a pid with ``TermDecoder``; its fields with other decoders.
    public init(from decoder: any Decoder) throws {
        if let pid = try Self.decodeAsTerm(from: decoder) {
            self = pid
            return
        }
        let container = try decoder.container(keyedBy: PIDKeys.self)
        self.init(
            node: try container.decode(Atom.self, forKey: .node),
            id: try container.decode(UInt32.self, forKey: .id),
            serial: try container.decode(UInt32.self, forKey: .serial),
            creation: try container.decode(UInt32.self, forKey: .creation))
    }
}

private enum PortKeys: String, CodingKey { case node, id, creation }

extension ErlangPort: Codable {
    /// Writes the port with ``TermEncoder``; its fields `node`, `id`, `creation` with other
    /// encoders.
    public func encode(to encoder: any Encoder) throws {
        guard try !encodeAsTerm(to: encoder) else { return }
        var container = encoder.container(keyedBy: PortKeys.self)
        try container.encode(node, forKey: .node)
        try container.encode(id, forKey: .id)
        try container.encode(creation, forKey: .creation)
    }

    /// Reads a port with ``TermDecoder``; its fields with other decoders.
    public init(from decoder: any Decoder) throws {
        if let port = try Self.decodeAsTerm(from: decoder) {
            self = port
            return
        }
        let container = try decoder.container(keyedBy: PortKeys.self)
        self.init(
            node: try container.decode(Atom.self, forKey: .node),
            id: try container.decode(UInt64.self, forKey: .id),
            creation: try container.decode(UInt32.self, forKey: .creation))
    }
}

private enum ReferenceKeys: String, CodingKey { case node, creation, ids }

extension Reference: Codable {
    /// Writes the reference with ``TermEncoder``; its fields `node`, `creation`, `ids` with other
    /// encoders.
    public func encode(to encoder: any Encoder) throws {
        guard try !encodeAsTerm(to: encoder) else { return }
        var container = encoder.container(keyedBy: ReferenceKeys.self)
        try container.encode(node, forKey: .node)
        try container.encode(creation, forKey: .creation)
        try container.encode(ids, forKey: .ids)
    }

    /// Reads a reference with ``TermDecoder``; its fields with other decoders.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when `ids` does not hold 1 to 5 words.
    public init(from decoder: any Decoder) throws {
        if let reference = try Self.decodeAsTerm(from: decoder) {
            self = reference
            return
        }
        let container = try decoder.container(keyedBy: ReferenceKeys.self)
        let ids = try container.decode([UInt32].self, forKey: .ids)
        guard (1...Reference.maximumWords).contains(ids.count) else {
            throw DecodingError.dataCorruptedError(
                forKey: .ids, in: container, debugDescription: "a reference has 1 to 5 words")
        }
        self.init(
            node: try container.decode(Atom.self, forKey: .node),
            creation: try container.decode(UInt32.self, forKey: .creation), ids: ids)
    }
}
