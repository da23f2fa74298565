/// What an encoder or container position holds while the value is being encoded. Containers are
/// reference types so that a nested container handed out earlier can still fill its place.
enum TermEncodingSlot {
    /// A finished term.
    case term(Term)
    /// A list whose elements are still being encoded.
    case list(TermListBuilder)
    /// A map whose pairs are still being encoded.
    case map(TermMapBuilder)
    /// A super encoder, whose content is decided by the code that uses it.
    case encoder(TermEncoderImpl)
}

/// The elements of a list under construction.
final class TermListBuilder {
    var items: [TermEncodingSlot] = []
}

/// The pairs of a map under construction, with distinct keys in insertion order.
final class TermMapBuilder {
    private(set) var pairs: [(key: Term, value: TermEncodingSlot)] = []
    private var index: [Term: Int]?

    private static let indexThreshold = 16

    /// The slot stored for `key`, if any.
    func value(for key: Term) -> TermEncodingSlot? {
        position(of: key).map { pairs[$0].value }
    }

    /// Stores `value` for `key`, replacing an earlier value for the same key in its place.
    func set(_ value: TermEncodingSlot, for key: Term) {
        if let position = position(of: key) {
            pairs[position].value = value
            return
        }
        pairs.append((key, value))
        if index != nil {
            index![key] = pairs.count - 1
        } else if pairs.count > Self.indexThreshold {
            var index: [Term: Int] = [:]
            for (position, pair) in pairs.enumerated() { index[pair.key] = position }
            self.index = index
        }
    }

    private func position(of key: Term) -> Int? {
        if let index { return index[key] }
        return pairs.firstIndex { $0.key == key }
    }
}
