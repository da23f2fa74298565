import Crypto
public import ErlangTerm
import Foundation
import _CryptoExtras

/// The heartbeat of libcluster's Gossip strategy, byte for byte, so that Colony and Elixir nodes
/// running it find each other: `"heartbeat::"` followed by the External Term Format of
/// `%{node: Node}`; with a shared secret, a random 16-byte IV followed by that plaintext encrypted
/// with AES-256-CBC (key: SHA-256 of the secret, PKCS#7 padding).
///
/// Decoding takes bytes from anyone on the network, so it is strict and bounded: the term must be
/// exactly a one-key map `node => Atom` (atom tags 100, 115, 118 or 119, as OTP 25 and 26+ write
/// them), the name must look like `name@host`, and no atom is made unless all of that holds (and
/// then through the capped input table). Anything else is `nil`: ignored, never an error that
/// stops the strategy (libcluster's own decoder has none of these limits).
public enum GossipPacket {
    static let prefix = Array("heartbeat::".utf8)
    /// The longest node name accepted (OTP's limit for an atom is 255 characters).
    static let maximumNameBytes = 255

    /// The heartbeat of `node`; encrypted with `secret` when there is one, under `iv` (random
    /// when `nil`).
    public static func encode(node: Atom, secret: String?, iv: [UInt8]? = nil) throws -> [UInt8] {
        var plain = prefix
        // term_to_binary(%{node: Node}) as OTP 25 writes it: MAP_EXT of arity 1, ATOM_EXT key and value.
        plain += [131, 116, 0, 0, 0, 1]
        plain += atomExt("node")
        plain += atomExt(node.name)
        guard let secret else { return plain }
        let ivBytes = iv ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        let cipher = try AES._CBC.encrypt(plain, using: key(secret), iv: try AES._CBC.IV(ivBytes: ivBytes))
        return ivBytes + Array(cipher)
    }

    /// The node a heartbeat announces, or `nil` when the bytes are not a heartbeat (or not one
    /// encrypted with `secret`).
    public static func decode(_ bytes: [UInt8], secret: String?) -> Atom? {
        var plain = bytes
        if let secret {
            // IV, then whole AES blocks.
            guard bytes.count >= 32, (bytes.count - 16) % 16 == 0, bytes.count <= 16 + 1024,
                let iv = try? AES._CBC.IV(ivBytes: bytes[0..<16]),
                let decrypted = try? AES._CBC.decrypt(bytes[16...], using: key(secret), iv: iv)
            else { return nil }
            plain = Array(decrypted)
        }
        guard plain.count > prefix.count, plain.starts(with: prefix) else { return nil }
        var reader = Reader(bytes: plain, offset: prefix.count)
        guard reader.byte() == 131, reader.byte() == 116, reader.uint32() == 1, reader.atom() == Array("node".utf8),
            let name = reader.atom(), reader.atEnd, let text = String(validating: name, as: UTF8.self),
            isNodeName(text)
        else { return nil }
        return Atom(input: text)
    }

    /// `name@host`: a non-empty name of letters, digits, `_` and `-`, and a non-empty host of
    /// letters, digits, `.`, `-`, `_` and `:` (IPv6).
    static func isNodeName(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let nameOK = parts[0].unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-")
        }
        let hostOK = parts[1].unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_:".unicodeScalars.contains($0))
        }
        return nameOK && hostOK
    }

    static func key(_ secret: String) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
    }

    private static func atomExt(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [100, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    /// A bounds-checked cursor: every read past the end gives `nil`.
    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint32() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            defer { offset += 4 }
            return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }

        /// ATOM_EXT (100) and ATOM_UTF8_EXT (118) have a 2-byte length, SMALL_ATOM_EXT (115) and
        /// SMALL_ATOM_UTF8_EXT (119) a 1-byte one.
        mutating func atom() -> [UInt8]? {
            let length: Int
            switch byte() {
            case 100?, 118?:
                guard let high = byte(), let low = byte() else { return nil }
                length = Int(high) << 8 | Int(low)
            case 115?, 119?:
                guard let one = byte() else { return nil }
                length = Int(one)
            default:
                return nil
            }
            guard length <= GossipPacket.maximumNameBytes, bytes.count - offset >= length else { return nil }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }
    }
}
