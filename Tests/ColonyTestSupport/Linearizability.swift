/// A sequential model a history is checked against: a state and the step each operation takes.
public protocol SequentialModel {
    associatedtype State: Hashable
    associatedtype Input
    associatedtype Output

    /// The state before any operation.
    var initial: State { get }

    /// The state after `input` returned `output` in `state`, or `nil` if it could not have.
    func step(_ state: State, _ input: Input, _ output: Output?) -> State?
}

/// One operation of a concurrent history: when it was called and when it returned.
public struct HistoryOperation<Input, Output> {
    /// The operation.
    public var input: Input
    /// What it returned; `nil` when the outcome is unknown (a timeout), in which case it may have
    /// taken effect at any time after its call, or never.
    public var output: Output?
    /// When it was called, and when it returned (`nil`: never, for an unknown outcome).
    public var call: Duration
    public var ret: Duration?

    public init(input: Input, output: Output?, call: Duration, ret: Duration?) {
        self.input = input
        self.output = output
        self.call = call
        self.ret = ret
    }
}

extension HistoryOperation: Sendable where Input: Sendable, Output: Sendable {}

/// A linearizability checker after Wing and Gong, with Lowe's memoization (as in Knossos and
/// Porcupine): depth-first over the order in which pending operations take effect, never visiting
/// the same (set of operations done, state) twice.
public enum Linearizability {
    /// Whether `history` is linearizable under `model`; gives up (returning `nil`) after `budget`
    /// search steps.
    public static func check<Model: SequentialModel>(
        _ model: Model, _ history: [HistoryOperation<Model.Input, Model.Output>], budget: Int = 5_000_000
    ) -> Bool? {
        // Events: each operation's call and return, in time order (a call before a return at the
        // same instant, so that touching operations count as concurrent).
        var events: [Event] = []
        for (index, operation) in history.enumerated() {
            events.append(Event(time: operation.call, isCall: true, operation: index))
            // An unknown outcome never returns: it may take effect at any point after its call.
            if let ret = operation.ret { events.append(Event(time: ret, isCall: false, operation: index)) }
        }
        events.sort { ($0.time, $0.isCall ? 0 : 1) < ($1.time, $1.isCall ? 0 : 1) }
        // A doubly linked list over the events, so that done operations can be lifted out.
        let count = events.count
        guard count > 0 else { return true }
        var next = Array(1...count)
        var previous = Array(-1..<(count - 1))
        var head = 0
        var returnEvent = [Int](repeating: -1, count: history.count)
        var callEvent = [Int](repeating: -1, count: history.count)
        for (position, event) in events.enumerated() {
            if event.isCall { callEvent[event.operation] = position } else { returnEvent[event.operation] = position }
        }
        func unlink(_ position: Int) {
            let before = previous[position]
            let after = next[position]
            if before >= 0 { next[before] = after } else { head = after < count ? after : -1 }
            if after < count { previous[after] = before }
        }
        func relink(_ position: Int) {
            let before = previous[position]
            let after = next[position]
            if before >= 0 { next[before] = position } else { head = position }
            if after < count { previous[after] = position }
        }
        var done = [Bool](repeating: false, count: history.count)
        var seen: Set<SearchKey<Model.State>> = []
        var stack: [(operation: Int, state: Model.State)] = []
        var state = model.initial
        var cursor = head
        var steps = 0
        while head >= 0 {
            steps += 1
            if steps > budget { return nil }
            if cursor < 0 || cursor >= count {
                // Only unknown-outcome operations are left: they may all never take effect.
                return true
            }
            let event = events[cursor]
            if event.isCall {
                let operation = history[event.operation]
                if let after = model.step(state, operation.input, operation.output) {
                    done[event.operation] = true
                    if seen.insert(SearchKey(done: done, state: after)).inserted {
                        stack.append((event.operation, state))
                        state = after
                        unlink(callEvent[event.operation])
                        if returnEvent[event.operation] >= 0 { unlink(returnEvent[event.operation]) }
                        cursor = head
                        continue
                    }
                    done[event.operation] = false
                }
                cursor = next[cursor]
            } else {
                // An operation returned before any order could take it: undo the last choice.
                guard let (operation, before) = stack.popLast() else { return false }
                done[operation] = false
                state = before
                if returnEvent[operation] >= 0 { relink(returnEvent[operation]) }
                relink(callEvent[operation])
                cursor = next[callEvent[operation]]
            }
        }
        return true
    }
}

/// A call or a return in a history being checked.
struct Event {
    var time: Duration
    var isCall: Bool
    var operation: Int
}

struct SearchKey<State: Hashable>: Hashable {
    var done: [Bool]
    var state: State
}

/// A register holding an integer (or nothing), with reads, writes and compare-and-set: the model
/// of a key in the store.
public struct RegisterModel: SequentialModel {
    public enum Input: Sendable {
        case read
        case write(Int)
        case compareAndSet(expected: Int?, new: Int)
    }

    public enum Output: Sendable, Equatable {
        /// A read's value.
        case value(Int?)
        /// A write or a compare-and-set that took effect.
        case ok
        /// A compare-and-set that found `current` instead.
        case mismatch(current: Int?)
    }

    public init() {}

    public var initial: Int? { nil }

    public func step(_ state: Int?, _ input: Input, _ output: Output?) -> Int?? {
        switch (input, output) {
        case (.read, .value(let value)):
            return value == state ? .some(state) : nil
        case (.read, nil):
            return .some(state)
        case (.write(let value), .ok), (.write(let value), nil):
            return .some(value)
        case (.compareAndSet(let expected, let new), .ok):
            return state == expected ? .some(new) : nil
        case (.compareAndSet(let expected, let new), nil):
            return state == expected ? .some(new) : .some(state)
        case (.compareAndSet(let expected, _), .mismatch(let current)):
            return state != expected && state == current ? .some(state) : nil
        default:
            return nil
        }
    }
}
