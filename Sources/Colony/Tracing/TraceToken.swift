import ErlangTerm

/// The trace context in the distribution protocol's trace-token slot, in the shape OTP gives a
/// sequential-trace token, so that a real OTP node that gets one keeps it intact:
/// `{0, {colony_trace, [{Key, Value}, ...]}, 0, Sender, 0}`. Flags 0 means no sequential tracing
/// happens; the label carries the tracer's headers (W3C `traceparent`, `tracestate`) as binaries.
///
/// Reading a token from the network is bounded: at most ``maximumHeaders`` headers, each key and
/// value at most ``maximumLength`` bytes; anything else reads as no context.
enum TraceToken {
    static let tag: Atom = "colony_trace"
    static let maximumHeaders = 8
    static let maximumLength = 512

    /// The token for `headers`, sent by `sender`; `nil` when there are no headers.
    static func make(headers: [String: String], sender: PID) -> Term? {
        guard !headers.isEmpty else { return nil }
        let pairs: [Term] = headers.sorted { $0.key < $1.key }.map { .tuple([.string($0.key), .string($0.value)]) }
        return .tuple([0, .tuple([.atom(tag), .list(pairs)]), 0, .pid(sender), 0])
    }

    /// The label of a token whose label is Colony's, to be read later with ``headers(in:)``.
    static func label(of token: Term) -> Term? {
        guard case .tuple(let parts) = token, parts.count == 5, case .tuple(let label) = parts[1], label.count == 2,
            label[0] == .atom(tag)
        else { return nil }
        return parts[1]
    }

    /// The headers in a label that ``label(of:)`` returned, bounded; empty when malformed.
    static func headers(in label: Term) -> [String: String] {
        guard case .tuple(let parts) = label, parts.count == 2, case .list(let pairs) = parts[1],
            pairs.count <= maximumHeaders
        else { return [:] }
        var headers: [String: String] = [:]
        for pair in pairs {
            guard case .tuple(let kv) = pair, kv.count == 2, case .binary(let key) = kv[0],
                case .binary(let value) = kv[1],
                key.count <= maximumLength, value.count <= maximumLength
            else { return [:] }
            headers[String(decoding: key, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return headers
    }
}
