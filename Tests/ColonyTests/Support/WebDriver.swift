import ColonyTestSupport
import Foundation

/// A headless Chromium driven over the W3C WebDriver protocol by `chromedriver` (Debian's
/// `chromium` and `chromium-driver`), for tests of the dashboard page. Everything it starts is
/// stopped by PID: chromedriver itself, and any Chromium still running with this session's own
/// profile folder.
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let driver: ExternalProcess
    private let port: Int
    private let profile: URL
    private(set) var session: String?

    /// Starts chromedriver on a free loopback port and opens a headless Chromium session whose
    /// profile lives under `directory`.
    init(directory: URL) async throws {
        guard let chromedriver = ExternalProcess.find("chromedriver"), let chromium = ExternalProcess.find("chromium")
        else {
            throw Failure(
                description:
                    "chromium and chromedriver are needed: scripts/test installs them (apt-get install chromium chromium-driver)"
            )
        }
        let port = try ExternalProcess.freeLoopbackPort()
        profile = directory.appendingPathComponent("chromium-profile")
        self.port = Int(port)
        driver = ExternalProcess(executable: chromedriver, arguments: ["--port=\(port)"])
        try driver.start()
        guard await ExternalProcess.waitForListener(port: port, timeout: .seconds(20)) else {
            driver.kill()
            throw Failure(description: "chromedriver did not listen: \(driver.standardError)")
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": chromium.path,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--window-size=1400,1000", "--user-data-dir=\(profile.path)",
                        ],
                    ],
                ]
            ]
        ]
        do {
            let answer = try await request("POST", "/session", capabilities)
            guard let value = answer["value"] as? [String: Any], let id = value["sessionId"] as? String else {
                throw Failure(description: "no session: \(answer)")
            }
            session = id
        } catch {
            stop()
            throw error
        }
    }

    /// Opens `url`.
    func navigate(to url: String) async throws {
        _ = try await request("POST", "/session/\(try id())/url", ["url": url])
    }

    /// Runs `script` in the page and returns its result.
    func execute(_ script: String) async throws -> Any? {
        let answer = try await request("POST", "/session/\(try id())/execute/sync", ["script": script, "args": []])
        return answer["value"]
    }

    /// A PNG of the page as shown.
    func screenshot() async throws -> Data {
        let answer = try await request("GET", "/session/\(try id())/screenshot", nil)
        guard let encoded = answer["value"] as? String, let data = Data(base64Encoded: encoded) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    /// Ends the session (Chromium quits), stops chromedriver, and kills by PID any Chromium
    /// process still running with this session's profile.
    func stop() {
        if let session {
            let semaphore = DispatchSemaphore(value: 0)
            Task {
                _ = try? await self.request("DELETE", "/session/\(session)", nil)
                semaphore.signal()
            }
            _ = semaphore.wait(timeout: .now() + 10)
            self.session = nil
        }
        driver.kill()
        for pid in Self.processes(mentioning: profile.path) { kill(pid, SIGKILL) }
    }

    /// The PIDs whose command line contains `text`.
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            return String(decoding: data, as: UTF8.self).contains(text) ? pid : nil
        }
    }

    private func id() throws -> String {
        guard let session else { throw Failure(description: "no session") }
        return session
    }

    private func request(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try LoopbackHTTP.request(method, port: port, path: path, body: payload)
        guard let answer = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw Failure(description: "not JSON: \(String(decoding: response.body, as: UTF8.self))")
        }
        if let value = answer["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "\(method) \(path): \(error): \(value["message"] ?? "")")
        }
        return answer
    }
}
