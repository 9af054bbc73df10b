import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// Debian's Chromium, headless, driven over the DevTools protocol: the status page tests open
/// the page, read its DOM and click its buttons with real mouse events, as a person would.
final class HeadlessChromium: Sendable {
    /// Why the browser could not be used.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The browser, or `nil` with the reason when Debian's `chromium` is not installed.
    static func executable() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private let process: Process
    private let profile: String
    /// The page target's DevTools WebSocket URL.
    let pageSocket: String

    /// Starts the browser on `url` and finds the page's DevTools endpoint.
    init(opening url: String) async throws {
        guard let executable = Self.executable() else { throw Unavailable(description: "chromium is not installed") }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-chromium-\(UUID().uuidString)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--window-size=1200,800",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=\(profile)", url,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Chromium writes the port it bound to DevToolsActivePort in its profile.
        let deadline = ContinuousClock.now + .seconds(30)
        var port: String?
        while port == nil, ContinuousClock.now < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: profile + "/DevToolsActivePort", encoding: .utf8) {
                port = text.split(separator: "\n").first.map(String.init)
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let port else {
            if process.isRunning { process.terminate() }
            throw Unavailable(description: "chromium did not open its DevTools port")
        }
        var socket: String?
        while socket == nil, ContinuousClock.now < deadline {
            let targets = try await Self.getJSON("http://127.0.0.1:\(port)/json/list") as? [[String: Any]] ?? []
            socket = targets.first { $0["type"] as? String == "page" }?["webSocketDebuggerUrl"] as? String
            if socket == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let socket else {
            process.terminate()
            throw Unavailable(description: "chromium has no page target")
        }
        pageSocket = socket
    }

    static func getJSON(_ url: String) async throws -> Any? {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
    }

    /// Runs `body` with a DevTools session on the page.
    func session(_ body: @escaping @Sendable (DevTools) async throws -> Void) async throws {
        var logger = Logger(label: "temblor.test.chromium")
        logger.logLevel = .warning
        _ = try await WebSocketClient.connect(
            url: pageSocket, configuration: WebSocketClientConfiguration(maxFrameSize: 16 << 20), logger: logger
        ) { inbound, outbound, _ in
            let tools = DevTools(outbound: outbound)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        if case .text(let text) = message { tools.received(text) }
                    }
                }
                try await body(tools)
                group.cancelAll()
            }
        }
    }

    func close() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Commands sent to the page and the answers they get, matched by id.
    final class DevTools: Sendable {
        let outbound: WebSocketOutboundWriter
        private let state = Mutex<(next: Int, answers: [Int: String])>((1, [:]))

        struct Failed: Error, CustomStringConvertible {
            var description: String
        }

        init(outbound: WebSocketOutboundWriter) {
            self.outbound = outbound
        }

        func received(_ text: String) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let id = object["id"] as? Int
            else { return }
            state.withLock { $0.answers[id] = text }
        }

        /// Sends `method` and waits for its result.
        @discardableResult
        func send(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
            let id = state.withLock { state -> Int in
                defer { state.next += 1 }
                return state.next
            }
            let data = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
            try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                if let text = state.withLock({ $0.answers.removeValue(forKey: id) }),
                   let answer = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
                    if let error = answer["error"] { throw Failed(description: "\(method): \(error)") }
                    return answer["result"] as? [String: Any] ?? [:]
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw Failed(description: "\(method): no answer")
        }

        /// The value of a JavaScript expression in the page.
        func evaluate(_ expression: String) async throws -> Any? {
            let result = try await send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
            if let exception = result["exceptionDetails"] { throw Failed(description: "\(expression): \(exception)") }
            return (result["result"] as? [String: Any])?["value"]
        }

        /// Polls `expression` until it is true.
        func waitFor(_ expression: String, seconds: Int = 15) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while try await evaluate("Boolean(\(expression))") as? Bool != true {
                guard ContinuousClock.now < deadline else { throw Failed(description: "the page never had \(expression)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        /// A left click in the middle of the element `selector` selects, with mouse events.
        func click(_ selector: String) async throws {
            let box = try await evaluate("""
                (() => { const r = document.querySelector('\(selector)').getBoundingClientRect();
                         return [r.left + r.width / 2, r.top + r.height / 2]; })()
                """) as? [Double] ?? []
            guard box.count == 2 else { throw Failed(description: "no element \(selector)") }
            for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
                try await send("Input.dispatchMouseEvent", ["type": type, "x": box[0], "y": box[1], "button": "left", "clickCount": 1])
            }
        }

        /// The page as a PNG.
        func screenshot() async throws -> Data {
            let result = try await send("Page.captureScreenshot", ["format": "png"])
            guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else {
                throw Failed(description: "no screenshot")
            }
            return data
        }
    }
}
