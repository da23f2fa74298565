import ErlangTerm

let sample: Term = .tuple(["msg", 12345, .string("hello"), .map(["key": .list([1, 2, 3])])])
let bytes = try ETF.encode(sample)
print("term:    \(sample)")
print("encoded: \(bytes)")
print("decoded: \(try ETF.decode(bytes))")
