// libFuzzer entry point for the External Term Format decoder.
//
// Every input is handed to `ETF.decode`. Rejecting it with an `ETFError` is fine; anything else
// that goes wrong is a bug and crashes the process, which libFuzzer records:
//
// - a crash, trap, hang or memory error inside the decoder (AddressSanitizer is on);
// - a decoded term that `ETF.encode` refuses;
// - a re-encoded term that no longer decodes, or decodes to a different term (`=:=`);
// - an encoding that is not stable: encoding the re-decoded term gives different bytes;
// - the same round trip through a compressed encoding (tag 80) failing.

import ErlangTerm

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's driver (compiler-rt's `FuzzerDriver.cpp`).
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// The entry point. SwiftPM links an executable with `main` renamed to this module's entry point
/// (`--defsym main=ETFFuzz_main` on Linux), which displaces the `main` that `-sanitize=fuzzer`
/// brings along, so this one starts libFuzzer's driver itself, with the same arguments.
@main
enum ETFFuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
    }
}

/// Tight limits, so the fuzzer spends its time on parsing and not on huge allocations.
private let fuzzOptions: ETFDecodingOptions = {
    var options = ETFDecodingOptions()
    options.maximumDecompressedSize = 1 << 20
    options.maximumIntegerBytes = 4 << 10
    return options
}()

/// Options for decoding our own re-encodings. Re-encoding may grow a term (a one-byte PID_EXT
/// creation becomes four bytes, a Latin-1 atom becomes UTF-8), so the size limit is lifted; the
/// depth limit stays, because re-encoding never nests deeper than the input did.
private let roundTripOptions: ETFDecodingOptions = {
    var options = fuzzOptions
    options.maximumDecompressedSize = 64 << 20
    return options
}()

/// The atom table is process-wide and never shrinks, and the fuzzer runs millions of inputs in
/// one process; cap the atoms that input may create well below the default. Past the cap the
/// decoder reports `atomLimitExceeded`, which counts as an ordinary rejection.
private let setUp: Void = {
    AtomTable.shared.inputLimit = 50_000
}()

/// With `ETFFUZZ_SKIP_KNOWN=1` (`scripts/fuzz --skip-known`) the checks step around codec bugs
/// that are already reported, which the fuzzer would otherwise hit within seconds on every run,
/// so that it can look for others. Each skip names its bug; delete it once the bug is fixed.
private let skipKnownBugs: Bool = getenv("ETFFUZZ_SKIP_KNOWN").map { String(cString: $0) == "1" } ?? false

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = setUp
    let input = UnsafeRawBufferPointer(start: data, count: size)

    let term: Term
    do {
        term = try ETF.decode(input, options: fuzzOptions)
    } catch {
        // Any ETFError (atomLimitExceeded included) is an accepted outcome for hostile bytes.
        return 0
    }

    let encoded: [UInt8]
    do {
        encoded = try ETF.encode(term)
    } catch {
        fail("a decoded term does not encode: \(error)", input: input, term: term)
    }

    let again: Term
    do {
        again = try ETF.decode(encoded, options: roundTripOptions)
    } catch {
        fail("the re-encoded term does not decode: \(error)\nre-encoded: \(hex(encoded))", input: input, term: term)
    }
    guard again == term else {
        fail("the re-encoded term decodes to a different term: \(clip(again))\nre-encoded: \(hex(encoded))",
             input: input, term: term)
    }

    do {
        let reencoded = try ETF.encode(again)
        guard reencoded == encoded else {
            fail("encoding is not stable:\n  first:  \(hex(encoded))\n  second: \(hex(reencoded))",
                 input: input, term: term)
        }
    } catch {
        fail("the re-decoded term does not encode: \(error)", input: input, term: term)
    }

    do {
        let compressed = try ETF.encode(term, options: ETFEncodingOptions(compressionLevel: 6))
        let decompressed = try ETF.decode(compressed, options: roundTripOptions)
        guard decompressed == term else {
            fail("the compressed round trip gives a different term: \(clip(decompressed))", input: input, term: term)
        }
    } catch {
        fail("the compressed round trip fails: \(error)", input: input, term: term)
    }
    return 0
}

/// Stops the process with the failure (fatalError keeps its message in optimized builds, where
/// precondition's is dropped); libFuzzer saves the input as a crash.
private func fail(_ message: String, input: UnsafeRawBufferPointer, term: Term) -> Never {
    fatalError("ETFFuzz: \(message)\ninput: \(hex(Array(input)))\nterm: \(clip(term))")
}

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(min(bytes.count, 2048) * 2)
    for byte in bytes.prefix(2048) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self) + (bytes.count > 2048 ? "... (\(bytes.count) bytes)" : "")
}

private func clip(_ term: Term) -> String {
    let text = String(describing: term)
    return text.count > 2000 ? String(text.prefix(2000)) + "..." : text
}
