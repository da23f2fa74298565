/// An arbitrary-size integer as Erlang stores it on the wire: a sign and a little-endian magnitude.
///
/// Colony does no arithmetic on bignums; it carries them exactly, compares them, and converts them
/// to and from Swift's fixed-width integers (up to `Int128`/`UInt128`) where they fit.
public struct BigInteger: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `true` for a negative value. Zero is never negative.
    public private(set) var isNegative: Bool
    /// The magnitude's bytes, least significant first, with no high zero bytes (empty for zero).
    public private(set) var magnitude: [UInt8]

    /// Creates a bignum from a sign and little-endian magnitude bytes; high zero bytes are dropped.
    public init(isNegative: Bool, magnitude: [UInt8]) {
        var magnitude = magnitude
        while magnitude.last == 0 { magnitude.removeLast() }
        self.magnitude = magnitude
        self.isNegative = isNegative && !magnitude.isEmpty
    }

    /// Creates a bignum holding `value`.
    public init<T: BinaryInteger>(_ value: T) {
        var bytes: [UInt8] = []
        var rest = value.magnitude
        while rest != 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
        self.init(isNegative: value < 0, magnitude: bytes)
    }

    /// The value as an `Int`, if it fits.
    public var intValue: Int? { exactly(Int.self) }

    /// The value as `T`, if it fits.
    public func exactly<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard magnitude.count <= T.Magnitude.bitWidth / 8 else { return nil }
        var m: T.Magnitude = 0
        for byte in magnitude.reversed() { m = m << 8 | T.Magnitude(byte) }
        if isNegative {
            guard T.isSigned else { return nil }
            // The most negative value's magnitude is one past the positive maximum.
            if m == T.Magnitude(T.max) + 1 { return T.min }
            guard m <= T.Magnitude(T.max) else { return nil }
            return 0 - T(m)
        }
        guard m <= T.Magnitude(T.max) else { return nil }
        return T(m)
    }

    /// Orders by value.
    public static func < (lhs: BigInteger, rhs: BigInteger) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        let magnitudeLess = BigInteger.magnitudeLess(lhs.magnitude, rhs.magnitude)
        let magnitudeGreater = BigInteger.magnitudeLess(rhs.magnitude, lhs.magnitude)
        return lhs.isNegative ? magnitudeGreater : magnitudeLess
    }

    private static func magnitudeLess(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        if a.count != b.count { return a.count < b.count }
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] {
            return a[i] < b[i]
        }
        return false
    }

    /// The value in decimal.
    public var description: String {
        if magnitude.isEmpty { return "0" }
        // Repeated division by 10^9 over base-256 digits, most significant first.
        var digits = Array(magnitude.reversed()).map(UInt32.init)
        var chunks: [UInt32] = []
        while !digits.isEmpty {
            var remainder: UInt64 = 0
            var quotient: [UInt32] = []
            quotient.reserveCapacity(digits.count)
            for d in digits {
                let current = remainder << 8 | UInt64(d)
                let q = current / 1_000_000_000
                remainder = current % 1_000_000_000
                if !quotient.isEmpty || q != 0 { quotient.append(UInt32(q)) }
            }
            chunks.append(UInt32(remainder))
            digits = quotient
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return (isNegative ? "-" : "") + text
    }
}
