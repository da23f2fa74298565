import ErlangTerm

extension Term {
    /// A rough count of the bytes this term holds in memory: a word per immediate, the payload of
    /// binaries and the elements of containers. It looks at no more than `budget` subterms, so
    /// an observer's question about a huge mailbox stays cheap; what it did not look at is not
    /// counted.
    func estimatedBytes(budget: inout Int) -> Int {
        guard budget > 0 else { return 0 }
        budget -= 1
        let word = MemoryLayout<Term>.stride
        switch self {
        case .atom, .integer, .float: return word
        case .binary(let bytes), .local(let bytes): return word + bytes.count
        case .bitstring(let bits): return word + bits.bytes.count
        case .bigInteger: return word * 2
        case .pid, .port, .reference, .export, .fun: return word * 4
        case .list(let elements), .tuple(let elements):
            var total = word
            for element in elements {
                guard budget > 0 else { break }
                total += element.estimatedBytes(budget: &budget)
            }
            return total
        case .improperList(let elements, let tail):
            var total = word + tail.estimatedBytes(budget: &budget)
            for element in elements {
                guard budget > 0 else { break }
                total += element.estimatedBytes(budget: &budget)
            }
            return total
        case .map(let map):
            var total = word
            for (key, value) in map {
                guard budget > 0 else { break }
                total += key.estimatedBytes(budget: &budget) + value.estimatedBytes(budget: &budget)
            }
            return total
        }
    }
}
