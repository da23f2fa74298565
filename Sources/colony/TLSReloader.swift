import ColonyTLS
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Re-reads a node's TLS certificate, key and CA files on SIGHUP: connections made afterwards use
/// them, established ones stay up. A file that cannot be used is reported and the old ones kept.
final class TLSReloader {
    private let source: any DispatchSourceSignal

    init(transport: TLSTransport) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                try transport.reload()
                say("tls: reloaded \(transport.settings.certificateFile) (\(transport.certificateSubject))")
            } catch {
                say("tls: reload failed, keeping the certificates in use: \(error)")
            }
        }
        source.resume()
        self.source = source
    }

    func stop() {
        source.cancel()
    }
}
