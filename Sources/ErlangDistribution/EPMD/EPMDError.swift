/// Why an EPMD request from ``EPMDClient`` failed.
public enum EPMDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No EPMD answered at `host`:`port` (connection refused, no route, or the connect timed out).
    case unreachable(host: String, port: Int, reason: String)
    /// EPMD accepted the connection but did not reply within the reply timeout.
    case timedOut(host: String, port: Int)
    /// EPMD closed or reset the connection before its reply was complete (OTP's `epmd` closes
    /// without replying when it rejects a request as malformed).
    case connectionClosed(host: String, port: Int)
    /// EPMD's reply is not valid.
    case malformedReply(EPMDDecodingError)
    /// EPMD refused the registration of `name`. OTP's `epmd` refuses a name that is registered
    /// already (it sends result 1 for every refusal), and so does Colony's server.
    case nameTaken(name: String, result: UInt8)
    /// An argument cannot be sent to EPMD (a port out of range, an empty or overlong name).
    case invalidArgument(String)

    /// A sentence saying what failed, for logs and error messages.
    public var description: String {
        switch self {
        case .unreachable(let host, let port, let reason): "EPMD at \(host):\(port) is unreachable: \(reason)"
        case .timedOut(let host, let port): "EPMD at \(host):\(port) did not reply in time"
        case .connectionClosed(let host, let port): "EPMD at \(host):\(port) closed the connection before replying"
        case .malformedReply(let error): "malformed EPMD reply: \(error)"
        case .nameTaken(let name, let result): "EPMD refused to register \(name) (result \(result)): name taken"
        case .invalidArgument(let message): "invalid EPMD request: \(message)"
        }
    }
}
