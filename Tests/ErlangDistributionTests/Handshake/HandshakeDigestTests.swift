import ErlangDistribution
import Testing

@Suite("Handshake: digest")
struct HandshakeDigestTests {
    /// Computed by OTP 25: `erlang:md5("secret" ++ integer_to_list(Challenge))`.
    @Test(
        "MD5(cookie ++ decimal(challenge)) matches OTP's gen_digest",
        arguments: [
            (UInt32(123_456_789), "b2dc76a3530cd91962ba572d5c52f476"),
            (UInt32.max, "5dfd181e69aa587cc812eb333e6536b6"),
        ])
    func knownAnswers(challenge: UInt32, expected: String) {
        let digest = HandshakeDigest(cookie: "secret", challenge: challenge)
        #expect(digest.description == expected)
        #expect(digest.bytes.count == 16)
        #expect(HandshakeDigest(bytes: digest.bytes) == digest)
    }

    @Test("digests compare by value; a different cookie or challenge gives another digest")
    func comparison() {
        let digest = HandshakeDigest(cookie: "secret", challenge: 42)
        #expect(digest.matches(HandshakeDigest(cookie: "secret", challenge: 42)))
        #expect(!digest.matches(HandshakeDigest(cookie: "Secret", challenge: 42)))
        #expect(!digest.matches(HandshakeDigest(cookie: "secret", challenge: 43)))
        #expect(HandshakeDigest(bytes: [UInt8](repeating: 0, count: 15)) == nil)
        #expect(HandshakeDigest(bytes: [UInt8](repeating: 0, count: 17)) == nil)
    }
}
