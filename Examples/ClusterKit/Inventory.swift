public import Colony
import Distributed

/// A distributed actor the cluster example's workers host, registered as `inventory`: stock per
/// item, an ordered log of what it was asked, and a slow operation for timeouts.
public distributed actor Inventory {
    public typealias ActorSystem = ColonyActorSystem

    /// Why the inventory refused a request.
    public enum Refusal: Error, CustomStringConvertible {
        case insufficientStock(item: String, available: Int)

        public var description: String {
            switch self {
            case .insufficientStock(let item, let available): "only \(available) \(item) left"
            }
        }
    }

    private var stock: [String: Int] = [:]
    private var log: [Int] = []

    public init(actorSystem: ColonyActorSystem) {
        self.actorSystem = actorSystem
    }

    /// Adds `quantity` of `item`; returns the new stock.
    public distributed func add(_ item: String, quantity: Int) -> Int {
        stock[item, default: 0] += quantity
        return stock[item, default: 0]
    }

    /// Takes `quantity` of `item`, or throws ``Refusal/insufficientStock(item:available:)``.
    public distributed func take(_ item: String, quantity: Int) throws -> Int {
        let available = stock[item, default: 0]
        guard available >= quantity else { throw Refusal.insufficientStock(item: item, available: available) }
        stock[item] = available - quantity
        return available - quantity
    }

    /// Everything in stock.
    public distributed func all() -> [String: Int] { stock }

    /// Appends to the log (for ordering checks).
    public distributed func record(_ value: Int) { log.append(value) }

    /// The log.
    public distributed func recorded() -> [Int] { log }

    /// Answers after `milliseconds`.
    public distributed func slowEcho(_ text: String, milliseconds: Int) async throws -> String {
        try await Task.sleep(for: .milliseconds(milliseconds))
        return text
    }

    /// The node this inventory lives on.
    public distributed func home() -> String { actorSystem.node.name.name }
}
