import ColonyTestSupport
import Foundation

/// A minimal HTTP/1.1 client over a plain socket to 127.0.0.1, for tests: one request per
/// connection (`Connection: close`), with a receive timeout. Foundation's URLSession on Linux
/// fails some exchanges with chromedriver, and a server-sent event stream needs reading
/// before the response ends.
enum LoopbackHTTP {
    struct Response {
        var status: Int
        var head: String
        var body: Data
    }

    /// Sends one request and reads the whole response (until the server closes).
    static func request(
        _ method: String, port: Int, path: String, body: Data? = nil, timeout: Duration = .seconds(60)
    ) throws -> Response {
        let socket = try connect(port: port, timeout: timeout)
        defer { close(socket) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(Data(head.utf8) + (body ?? Data()), to: socket)
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Until the server closes, or the body its Content-Length announces is in.
        while !isComplete(received) {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 { throw ExternalProcess.Failure(description: "\(method) \(path): receive failed (\(errno))") }
            if count == 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        guard let split = received.range(of: Data("\r\n\r\n".utf8)) else {
            throw ExternalProcess.Failure(description: "\(method) \(path): no response head")
        }
        let headText = String(decoding: received[..<split.lowerBound], as: UTF8.self)
        let status = headText.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var content = Data(received[split.upperBound...])
        if headText.lowercased().contains("transfer-encoding: chunked") { content = dechunk(content) }
        return Response(status: status, head: headText, body: content)
    }

    /// The data of the first server-sent event at `path`.
    static func firstEvent(port: Int, path: String, timeout: Duration) throws -> (head: String, data: String) {
        let socket = try connect(port: port, timeout: timeout)
        defer { close(socket) }
        try write(
            Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8), to: socket)
        var received = ""
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.utf8.count < 4_000_000 {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
            guard let start = received.range(of: "data: ") else { continue }
            let rest = received[start.upperBound...]
            if let end = rest.range(of: "\n\n") {
                let head = received.components(separatedBy: "\r\n\r\n").first ?? ""
                return (head, String(rest[..<end.lowerBound]))
            }
        }
        throw ExternalProcess.Failure(description: "no event in: \(received.prefix(500))")
    }

    /// Whether `received` holds a head with a Content-Length and that many body bytes.
    private static func isComplete(_ received: Data) -> Bool {
        guard let split = received.range(of: Data("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: received[..<split.lowerBound], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return received.count - split.upperBound >= length
    }

    private static func connect(port: Int, timeout: Duration) throws -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ExternalProcess.Failure(description: "no socket") }
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw ExternalProcess.Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
        return socket
    }

    private static func write(_ data: Data, to socket: Int32) throws {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw ExternalProcess.Failure(description: "send failed (\(errno))") }
            offset += sent
        }
    }

    private static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            let start = line.upperBound
            guard let end = rest.index(start, offsetBy: size, limitedBy: rest.endIndex) else { break }
            out.append(rest[start..<end])
            rest = rest[min(rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex, rest.endIndex)...]
        }
        return out
    }
}
