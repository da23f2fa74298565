#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Data: TermPrimitiveCodable {
    /// A binary holding the bytes.
    func encodedTerm(codingPath: @autoclosure () -> [any CodingKey]) throws -> Term {
        .binary(Array(self))
    }

    /// Accepts a binary or a list of integers from 0 to 255.
    static func decoded(from term: Term, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> Data
    {
        Data(try [UInt8].decoded(from: term, codingPath: codingPath()))
    }
}
