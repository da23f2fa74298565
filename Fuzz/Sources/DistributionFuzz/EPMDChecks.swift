// Mode 3: the EPMD decoders. The body is fed to each of them.

import ErlangDistribution
import NIOCore

enum EPMDChecks {
    static func check(_ body: [UInt8]) {
        let input = ByteBuffer(bytes: body)
        requests(input)
        alive2Responses(input)
        port2Responses(input)
        namesResponse(input)
    }

    /// Requests, as `EPMDServerHandler` reads them: one length-prefixed frame after another. A
    /// frame that is not a valid request is consumed with the error; a valid one is consumed
    /// exactly and round-trips through `encode`.
    static func requests(_ input: ByteBuffer) {
        var buffer = input
        while buffer.readableBytes > 0 {
            let before = buffer.readerIndex
            let request: EPMDRequest?
            do {
                request = try EPMDRequest.readFrame(from: &buffer)
            } catch {
                _ = error.description
                guard buffer.readerIndex > before else {
                    fail("EPMDRequest.readFrame throws \(error) but consumes nothing")
                }
                continue
            }
            guard let request else {
                guard buffer.readerIndex == before else { fail("EPMDRequest.readFrame returns nil but consumes bytes") }
                break
            }
            let length = Int(input.getInteger(at: before, as: UInt16.self)!)
            guard buffer.readerIndex == before + 2 + length else {
                fail("EPMDRequest.readFrame consumes \(buffer.readerIndex - before) bytes of a \(length)-byte frame")
            }
            var encoded = request.encoded()
            let written = encoded
            let again: EPMDRequest?
            do {
                again = try EPMDRequest.readFrame(from: &encoded)
            } catch {
                fail("EPMD request \(request) does not decode after encoding: \(error)\nencoded: \(hex(written))")
            }
            guard again == request, encoded.readableBytes == 0 else {
                fail("EPMD request \(request) decodes to \(again as Any) after encoding\nencoded: \(hex(written))")
            }
        }
    }

    /// `ALIVE2_X_RESP` and `ALIVE2_RESP`, one after another as far as they decode. A reply
    /// re-encodes to the very bytes it was read from.
    static func alive2Responses(_ input: ByteBuffer) {
        var buffer = input
        while true {
            let before = buffer.readerIndex
            let response: EPMDAlive2Response?
            do {
                response = try EPMDAlive2Response.read(from: &buffer)
            } catch {
                _ = error.description
                return
            }
            guard let response else {
                guard buffer.readerIndex == before else {
                    fail("EPMDAlive2Response.read returns nil but consumes bytes")
                }
                return
            }
            let consumed = input.getBytes(at: before, length: buffer.readerIndex - before)!
            var encoded = ByteBuffer()
            response.encode(into: &encoded)
            guard Array(encoded.readableBytesView) == consumed else {
                fail("\(response) was read from \(hex(consumed)) and encodes as \(hex(encoded))")
            }
            let again = try? EPMDAlive2Response.read(from: &encoded)
            guard again == response, encoded.readableBytes == 0 else {
                fail("\(response) decodes to \(again as Any) after encoding")
            }
        }
    }

    /// `PORT2_RESP`, one after another as far as they decode. A reply re-encodes to the very
    /// bytes it was read from.
    static func port2Responses(_ input: ByteBuffer) {
        var buffer = input
        while true {
            let before = buffer.readerIndex
            let response: EPMDPort2Response?
            do {
                response = try EPMDPort2Response.read(from: &buffer)
            } catch {
                _ = error.description
                return
            }
            guard let response else {
                guard buffer.readerIndex == before else {
                    fail("EPMDPort2Response.read returns nil but consumes bytes")
                }
                return
            }
            guard buffer.readerIndex > before else {
                fail("EPMDPort2Response.read returns \(response) but consumes nothing")
            }
            let consumed = input.getBytes(at: before, length: buffer.readerIndex - before)!
            var encoded = ByteBuffer()
            response.encode(into: &encoded)
            guard Array(encoded.readableBytesView) == consumed else {
                fail("\(response) was read from \(hex(consumed)) and encodes as \(hex(encoded))")
            }
            let again = try? EPMDPort2Response.read(from: &encoded)
            guard again == response, encoded.readableBytes == 0 else {
                fail("\(response) decodes to \(again as Any) after encoding")
            }
        }
    }

    /// `NAMES_RESP`: the whole body, as the client decodes it once EPMD has closed the connection.
    static func namesResponse(_ input: ByteBuffer) {
        let response: EPMDNamesResponse
        do {
            response = try EPMDNamesResponse(decoding: input)
        } catch {
            _ = error.description
            return
        }
        var encoded = ByteBuffer()
        response.encode(into: &encoded)
        do {
            let again = try EPMDNamesResponse(decoding: encoded)
            guard again == response else {
                fail("\(response) decodes to \(again) after encoding\nencoded: \(hex(encoded))")
            }
        } catch {
            fail("\(response) does not decode after encoding: \(error)\nencoded: \(hex(encoded))")
        }
    }
}
