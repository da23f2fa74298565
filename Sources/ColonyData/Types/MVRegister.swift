/// A multi-value register: a write replaces every value its replica has seen, and concurrent
/// writes are all kept until a later write replaces them, so no write is silently lost.
public struct MVRegister<Value: Hashable & Sendable & Codable>: ReplicatedData, Hashable {
    /// The live writes.
    public private(set) var kernel: DotKernel<Value>

    /// Never written.
    public init() { kernel = DotKernel() }

    /// The concurrent values, oldest replica event first; one value when there was no conflict.
    public var values: [Value] { kernel.payloads }

    /// Writes `value` on behalf of `replica`; returns the delta.
    @discardableResult
    public mutating func set(_ value: Value, at replica: ReplicaID) -> MVRegister {
        var delta = MVRegister()
        delta.kernel = kernel.write(value, at: replica)
        return delta
    }

    /// Empties the register as this replica sees it; returns the delta.
    @discardableResult
    public mutating func clear() -> MVRegister {
        var delta = MVRegister()
        delta.kernel = kernel.clear()
        return delta
    }

    public mutating func merge(_ other: MVRegister) { kernel.merge(other.kernel) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(kernel)
    }

    public init(from decoder: any Decoder) throws {
        kernel = try decoder.singleValueContainer().decode(DotKernel<Value>.self)
    }
}
