/// A boolean that starts false and, once switched on anywhere, is on everywhere.
public struct Flag: ReplicatedData, Hashable {
    /// Whether the flag is on.
    public private(set) var isEnabled: Bool

    /// Off.
    public init() { isEnabled = false }

    /// Switches the flag on; returns the delta.
    @discardableResult
    public mutating func enable() -> Flag {
        isEnabled = true
        return self
    }

    public mutating func merge(_ other: Flag) { isEnabled = isEnabled || other.isEnabled }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isEnabled)
    }

    public init(from decoder: any Decoder) throws {
        isEnabled = try decoder.singleValueContainer().decode(Bool.self)
    }
}
