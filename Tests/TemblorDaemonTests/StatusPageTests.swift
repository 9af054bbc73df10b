import Foundation
import Testing
import TemblorDaemon

/// The status page in a real browser: it loads, lists a deployed flow, and its pause button
/// pauses that flow.
@Suite(.serialized, .timeLimit(.minutes(2))) struct StatusPageTests {
    @Test func thePageListsAFlowAndItsPauseButtonPausesIt() async throws {
        guard HeadlessChromium.executable() != nil else {
            // scripts/bootstrap.sh installs Debian's chromium; only where it cannot be installed is this skipped.
            print("StatusPageTests: skipped: Debian's chromium is not installed (scripts/bootstrap.sh installs it)")
            return
        }
        try await ApiHarness.with { api in
            try """
                return { api = 1, on_event = function(ctx, event, meta) ctx:emit(event, meta) end }
                """.write(toFile: api.directory + "/pass.lua", atomically: true, encoding: .utf8)
            #expect(try await api.call(.POST, "/v1/flows?id=ticks", body: """
                connectors:
                  tick: { type: metronome, config: { interval_ms: 20 } }
                  pass: { type: lua, plugin: pass.lua }
                  sink: { type: blackhole }
                links: [tick -> pass, pass -> sink]
                """).status == 201)
            let browser = try await HeadlessChromium(opening: api.base + "/")
            defer { browser.close() }
            let screenshot = ProcessInfo.processInfo.environment["TEMBLOR_STATUS_SCREENSHOT"]
            try await browser.session { page in
                try await page.send("Runtime.enable")
                try await page.waitFor(#"document.querySelector('tr[data-flow="ticks"] td.status.running')"#)
                #expect((try await page.evaluate("document.body.innerText") as? String ?? "").contains("ticks"))
                try await page.waitFor(#"document.querySelector('tr[data-flow="ticks"]').innerText.match(/[1-9]/)"#)
                // Its details open on a click, naming the nodes' ports and the Lua plugin.
                try await page.click("tr.detail summary")
                try await page.waitFor("document.querySelector('tr.detail details').open")
                try await page.waitFor(#"document.querySelector('tr.detail').innerText.includes('pass.lua')"#)
                if let screenshot { try await page.screenshot().write(to: URL(fileURLWithPath: screenshot)) }
                // Later polls render the rows again and keep the details open.
                try await Task.sleep(for: .milliseconds(2500))
                #expect(try await page.evaluate("document.querySelector('tr.detail details').open") as? Bool == true)
                try await page.click(#"tr[data-flow="ticks"] button[data-action="pause"]"#)
                try await page.waitFor(#"document.querySelector('tr[data-flow="ticks"] td.status.paused')"#)
            }
            #expect(try await api.flow("ticks")["status"] as? String == "paused")
        }
    }
}
