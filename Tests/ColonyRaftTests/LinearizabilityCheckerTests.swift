import ColonyTestSupport
import Testing

/// The checker itself: it must accept what is linearizable and refuse what is not, or a history
/// test proves nothing.
@Suite("Linearizability checker")
struct LinearizabilityCheckerTests {
    typealias Op = HistoryOperation<RegisterModel.Input, RegisterModel.Output>

    static func op(_ input: RegisterModel.Input, _ output: RegisterModel.Output?, _ call: Int, _ ret: Int?) -> Op {
        Op(input: input, output: output, call: .milliseconds(call), ret: ret.map { .milliseconds($0) })
    }

    @Test("concurrent writes and reads that some order explains are accepted")
    func accepts() {
        let history = [
            Self.op(.write(1), .ok, 0, 10),
            Self.op(.write(2), .ok, 5, 15),
            Self.op(.read, .value(1), 12, 20),  // write 2 may take effect before write 1
            Self.op(.compareAndSet(expected: 1, new: 3), .ok, 21, 30),
            Self.op(.read, .value(3), 31, 40),
            Self.op(.write(9), nil, 35, nil),  // unknown outcome, never seen
            Self.op(.read, .value(3), 41, 50),
        ]
        #expect(Linearizability.check(RegisterModel(), history) == true)
    }

    @Test("a stale read after a completed write, or a lost acknowledged write, is refused")
    func refuses() {
        let stale = [
            Self.op(.write(1), .ok, 0, 10),
            Self.op(.write(2), .ok, 11, 20),
            Self.op(.read, .value(1), 21, 30),
        ]
        #expect(Linearizability.check(RegisterModel(), stale) == false)
        let impossibleSwap = [
            Self.op(.compareAndSet(expected: nil, new: 1), .ok, 0, 10),
            Self.op(.compareAndSet(expected: nil, new: 2), .ok, 0, 10),
        ]
        #expect(Linearizability.check(RegisterModel(), impossibleSwap) == false)
        let wrongMismatch = [
            Self.op(.write(5), .ok, 0, 10),
            Self.op(.compareAndSet(expected: 4, new: 6), .mismatch(current: 7), 11, 20),
        ]
        #expect(Linearizability.check(RegisterModel(), wrongMismatch) == false)
    }

    @Test("an unknown write may explain a later read, and a read may not see an old value come back")
    func unknownOutcomes() {
        let seen = [
            Self.op(.write(1), .ok, 0, 10),
            Self.op(.write(2), nil, 11, nil),
            Self.op(.read, .value(2), 30, 40),
            Self.op(.read, .value(2), 41, 50),
        ]
        #expect(Linearizability.check(RegisterModel(), seen) == true)
        let flipFlop = seen + [Self.op(.read, .value(1), 51, 60)]
        #expect(Linearizability.check(RegisterModel(), flipFlop) == false)
    }

    @Test("random sequential histories are accepted, and corrupting one read is refused")
    func random() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            var state: Int? = nil
            var history: [Op] = []
            for time in 0..<30 {
                switch random.next(below: 3) {
                case 0:
                    history.append(Self.op(.read, .value(state), time * 10, time * 10 + 5))
                case 1:
                    let value = random.next(below: 5)
                    state = value
                    history.append(Self.op(.write(value), .ok, time * 10, time * 10 + 5))
                default:
                    let expected: Int? = random.next(below: 2) == 0 ? nil : random.next(below: 5)
                    let new = random.next(below: 5)
                    if state == expected {
                        state = new
                        history.append(
                            Self.op(.compareAndSet(expected: expected, new: new), .ok, time * 10, time * 10 + 5))
                    } else {
                        history.append(
                            Self.op(
                                .compareAndSet(expected: expected, new: new), .mismatch(current: state), time * 10,
                                time * 10 + 5))
                    }
                }
            }
            #expect(Linearizability.check(RegisterModel(), history) == true)
            if let index = history.lastIndex(where: { if case .value = $0.output { true } else { false } }),
                case .value(let value) = history[index].output
            {
                history[index].output = .value((value ?? -1) + 100)
                #expect(Linearizability.check(RegisterModel(), history) == false)
            }
        }
    }
}
