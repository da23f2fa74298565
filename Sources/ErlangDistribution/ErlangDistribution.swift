/// The Erlang distribution protocol: EPMD, the handshake, framing, the distribution header with
/// its atom cache, fragments, ticks and control messages. Each protocol is a pure state machine;
/// SwiftNIO channel handlers are thin shells around them.
public enum ErlangDistributionProtocol {
    /// The handshake version Colony speaks (OTP 23 and later).
    public static let handshakeVersion: UInt16 = 6
}
