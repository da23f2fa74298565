/// An error thrown by ``TermEncoder`` or ``TermDecoder``.
///
/// Every case says what the Swift side expected, what it found (as a term, when there was one),
/// and where: `codingPath` is the chain of keys and list indices from the top-level value down to
/// the failing one. ``codingPathDescription`` renders it as `shapes[1].radius`.
///
/// ```swift
/// do {
///     _ = try TermDecoder().decode(Point.self, from: term)
/// } catch let error as TermCodingError {
///     print(error)  // Expected an integer (Int) at y, found <<"two">>
/// }
/// ```
public enum TermCodingError: Error, Sendable, CustomStringConvertible {
    /// The term has the wrong kind for the Swift type: `expected` says what would fit, `found` is
    /// the term that was there.
    case typeMismatch(expected: String, found: Term, codingPath: [any CodingKey])
    /// A value was required but there was none: `found` is the atom `nil`, or `nil` when a list
    /// ran out of elements.
    case valueNotFound(expected: String, found: Term?, codingPath: [any CodingKey])
    /// A keyed container asked for a key that the map does not have, neither as an atom nor as a
    /// binary. `found` is the map.
    case keyNotFound(key: any CodingKey, found: Term, codingPath: [any CodingKey])
    /// A number of the right kind that does not fit in the Swift type, such as `300` for `UInt8`.
    case numberOutOfRange(expected: String, found: Term, codingPath: [any CodingKey])
    /// A term of the right kind whose content is not acceptable: a binary that is not UTF-8, an
    /// atom that names no case of an enum, two map keys that decode to the same dictionary key.
    case dataCorrupted(expected: String, found: Term, reason: String, codingPath: [any CodingKey])
    /// A Swift value that has no term form: a NaN or infinite float, a key name too long to be an
    /// atom, a value that encoded nothing. `value` describes the value.
    case invalidValue(value: String, reason: String, codingPath: [any CodingKey])
    /// A type that only ``TermEncoder`` and ``TermDecoder`` can carry (such as ``Term`` or
    /// ``TermMap``) was given to another encoder or decoder.
    case unsupportedCoder(type: String, codingPath: [any CodingKey])

    /// The keys and indices from the top-level value to the one that failed.
    public var codingPath: [any CodingKey] {
        switch self {
        case .typeMismatch(_, _, let path), .valueNotFound(_, _, let path),
            .keyNotFound(_, _, let path), .numberOutOfRange(_, _, let path),
            .dataCorrupted(_, _, _, let path), .invalidValue(_, _, let path),
            .unsupportedCoder(_, let path):
            return path
        }
    }

    /// The term that was found where the error occurred, if there was one.
    public var found: Term? {
        switch self {
        case .typeMismatch(_, let found, _), .keyNotFound(_, let found, _),
            .numberOutOfRange(_, let found, _), .dataCorrupted(_, let found, _, _):
            return found
        case .valueNotFound(_, let found, _):
            return found
        case .invalidValue, .unsupportedCoder:
            return nil
        }
    }

    /// The coding path written as Swift would access it, such as `shapes[1].radius`; `(top level)`
    /// when the path is empty.
    public var codingPathDescription: String {
        TermCodingKey.describe(codingPath)
    }

    /// A sentence that names what was expected, what was found and where.
    public var description: String {
        let at = codingPathDescription
        switch self {
        case .typeMismatch(let expected, let found, _):
            return "Expected \(expected) at \(at), found \(Self.summary(found))"
        case .valueNotFound(let expected, let found, _):
            let what = found.map(Self.summary) ?? "no value (the list has no more elements)"
            return "Expected \(expected) at \(at), found \(what)"
        case .keyNotFound(let key, let found, _):
            return "Expected key \(key.stringValue) (as an atom or a binary) at \(at), found "
                + Self.keysSummary(found)
        case .numberOutOfRange(let expected, let found, _):
            return
                "Expected \(expected) at \(at), found \(Self.summary(found)), which is out of range"
        case .dataCorrupted(let expected, let found, let reason, _):
            return "Expected \(expected) at \(at), found \(Self.summary(found)): \(reason)"
        case .invalidValue(let value, let reason, _):
            return "Cannot encode \(value) at \(at): \(reason)"
        case .unsupportedCoder(let type, _):
            return "\(type) at \(at) can only be encoded by TermEncoder and decoded by TermDecoder"
        }
    }

    /// The term's text, shortened so that an error about a large term stays readable.
    static func summary(_ term: Term) -> String {
        let text = term.description
        guard text.count > 120 else { return text }
        return String(text.prefix(117)) + "..."
    }

    private static func keysSummary(_ term: Term) -> String {
        guard case .map(let map) = term else { return summary(term) }
        let keys = map.keys.prefix(20).map(summary).joined(separator: ", ")
        return "a map with keys [" + keys + (map.count > 20 ? ", ...]" : "]")
    }

    /// A mismatch error; when `found` is the atom `nil`, a ``valueNotFound(expected:found:codingPath:)``.
    static func mismatch(
        _ expected: String,
        found: Term,
        codingPath: [any CodingKey]
    ) -> TermCodingError {
        if found == .nil {
            return .valueNotFound(expected: expected, found: found, codingPath: codingPath)
        }
        return .typeMismatch(expected: expected, found: found, codingPath: codingPath)
    }
}
