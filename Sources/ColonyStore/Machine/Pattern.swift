public import ErlangTerm

/// A pattern for `match`/`select`, as Mnesia's `match_object` takes: the atom `'_'` matches
/// anything; a tuple or list matches one of the same length element by element; a map matches a
/// map that has at least its keys, each value matching; anything else matches an equal term.
public struct Pattern: Hashable, Sendable {
    /// The pattern as a term.
    public var term: Term

    /// A pattern from a term.
    public init(_ term: Term) { self.term = term }

    /// Matches anything.
    public static let any = Pattern(.atom("_"))

    /// Whether `value` matches.
    public func matches(_ value: Term) -> Bool { Self.matches(term, value, depth: 0) }

    private static func matches(_ pattern: Term, _ value: Term, depth: Int) -> Bool {
        guard depth < 100 else { return false }
        switch (pattern, value) {
        case (.atom(let atom), _) where atom == "_":
            return true
        case (.tuple(let patterns), .tuple(let values)), (.list(let patterns), .list(let values)):
            guard patterns.count == values.count else { return false }
            return zip(patterns, values).allSatisfy { matches($0, $1, depth: depth + 1) }
        case (.map(let patterns), .map(let values)):
            return patterns.allSatisfy { key, sub in
                values[key].map { matches(sub, $0, depth: depth + 1) } ?? false
            }
        default:
            return pattern == value
        }
    }
}
