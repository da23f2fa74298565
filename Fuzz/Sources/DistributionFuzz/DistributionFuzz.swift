// libFuzzer entry point for the network decoders of the distribution layer.
//
// The first byte of an input is a selector, the rest its body. The low two bits of the selector
// pick what the body is fed to; the other bits are options of that mode:
//
//   0  handshake messages      `HandshakeMessage.decode(_:sentBy:)`, as sent by either role
//   1  handshake state machine frames cut from the body, fed to an initiating and an accepting
//                              `HandshakeStateMachine`
//   2  distribution frames     frames cut from the body, fed to a `DistributionInbound`
//   3  EPMD                    the body fed to every EPMD decoder
//
// Modes 1 and 2 cut frames from the body with 2-byte big-endian length prefixes (a length past
// the end takes what is left). Throwing one of the decoder's own errors is fine; anything else
// that goes wrong is a bug and crashes the process, which libFuzzer records: a crash, trap, hang
// or memory error (AddressSanitizer is on), a failed round trip (a decoded value that re-encodes
// to something that decodes differently), or a state machine that breaks its own rules.

import ErlangDistribution
import ErlangTerm
import NIOCore

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

/// The entry point. As in `ETFFuzz`, SwiftPM's `main` displaces libFuzzer's, so this one starts
/// libFuzzer's driver with the program's arguments; `--write-seeds DIR` writes the seeds made
/// with Colony's own encoders instead (see `Seeds.swift`).
@main
enum DistributionFuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            exit(SeedWriter.writeAll(to: arguments[2]) ? 0 : 1)
        }
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
    }
}

/// What the body of an input is fed to: the low two bits of the selector byte.
enum Mode: UInt8 {
    case handshakeMessage = 0
    case handshakeStateMachine = 1
    case distributionFrames = 2
    case epmd = 3
}

/// The atom table is process-wide and never shrinks; cap the atoms that input may create, as
/// `ETFFuzz` does. Past the cap the decoder reports `atomLimitExceeded`, an ordinary error.
private let setUp: Void = {
    AtomTable.shared.inputLimit = 50_000
}()

/// With `DISTFUZZ_SKIP_KNOWN=1` (`scripts/fuzz --target DistributionFuzz --skip-known`) the checks
/// step around bugs that are already reported, so that the fuzzer can look for others. Each skip
/// names its bug; delete it once the bug is fixed.
let skipKnownBugs: Bool = getenv("DISTFUZZ_SKIP_KNOWN").map { String(cString: $0) == "1" } ?? false

/// The input being run, for failure messages (libFuzzer runs one input at a time).
nonisolated(unsafe) private var currentInput: [UInt8] = []

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = setUp
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    currentInput = input
    let selector = input[0]
    let body = Array(input[1...])
    switch Mode(rawValue: selector & 0x03)! {
    case .handshakeMessage:
        HandshakeChecks.checkMessage(ByteBuffer(bytes: body))
    case .handshakeStateMachine:
        HandshakeChecks.checkStateMachines(cutFrames(body), options: .init(selector: selector))
    case .distributionFrames:
        FrameChecks.check(cutFrames(body), options: .init(selector: selector))
    case .epmd:
        EPMDChecks.check(body)
    }
    return 0
}

/// Cuts `body` into frames: a 2-byte big-endian length, then that many bytes; a length past the
/// end takes what is left, and a single byte left at the end is dropped.
func cutFrames(_ body: [UInt8]) -> [ByteBuffer] {
    var frames: [ByteBuffer] = []
    var index = 0
    while index + 2 <= body.count {
        let length = Int(body[index]) << 8 | Int(body[index + 1])
        index += 2
        let end = min(index + length, body.count)
        frames.append(ByteBuffer(bytes: body[index..<end]))
        index = end
    }
    return frames
}

/// Stops the process with the failure (fatalError keeps its message in optimized builds, where
/// precondition's is dropped); libFuzzer saves the input as a crash.
func fail(_ message: String) -> Never {
    fatalError("DistributionFuzz: \(message)\ninput: \(hex(currentInput))")
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(min(bytes.count, 2048) * 2)
    for byte in bytes.prefix(2048) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self) + (bytes.count > 2048 ? "... (\(bytes.count) bytes)" : "")
}

func hex(_ buffer: ByteBuffer) -> String {
    hex(Array(buffer.readableBytesView))
}

/// A description cut to a length that keeps failure messages readable.
func clip(_ value: Any) -> String {
    let text = String(describing: value)
    return text.count > 2000 ? String(text.prefix(2000)) + "..." : text
}
