import Foundation
import Testing

/// `temblor codec`, driven from outside as users and scripts drive it.
@Suite struct CodecCommandTests {
    let lines = [
        #"{"level":"info","n":1,"f":1.5,"ok":true,"tags":["a","b"],"nested":{"x":null}}"#,
        #"{"level":"error","n":18446744073709551615,"msg":"caf\u00e9 \"quoted\"\n"}"#,
        #"[1,-2,3.25,"four",false]"#,
    ]

    @Test func jsonLinesSurviveMessagePackAndBack() async throws {
        let input = lines.joined(separator: "\n") + "\n"
        let packed = try await TemblorProcess.run(["codec", "--from", "json", "--to", "msgpack", "--post", "length-prefixed"], stdin: input)
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(!packed.stdout.isEmpty)
        let back = try await TemblorProcess.run(["codec", "--from", "msgpack", "--to", "json", "--pre", "length-prefixed"], stdin: packed.stdout)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdoutText == #"""
            {"level":"info","n":1,"f":1.5,"ok":true,"tags":["a","b"],"nested":{"x":null}}
            {"level":"error","n":18446744073709551615,"msg":"café \"quoted\"\n"}
            [1,-2,3.25,"four",false]

            """#)
    }

    @Test func aBadLineIsReportedWithItsNumberAndOffsetAndTheRestFlows() async throws {
        let input = "{\"a\":1}\n{\"a\":\n{\"a\":3}\n[1,,2]\n{\"a\":5}\n"
        let result = try await TemblorProcess.run(["codec", "--from", "json", "--to", "json"], stdin: input)
        #expect(result.status == 1)
        #expect(result.stdoutText == "{\"a\":1}\n{\"a\":3}\n{\"a\":5}\n")
        #expect(result.stderr.contains("frame 2: json: unexpected end of input"), "\(result.stderr)")
        #expect(result.stderr.contains("frame 4: json: unexpected ',', expected a value at byte 3"), "\(result.stderr)")
    }

    @Test func failFastStopsAtTheFirstBadFrame() async throws {
        let result = try await TemblorProcess.run(["codec", "--from", "json", "--to", "json", "--fail-fast"], stdin: "1\nx\n3\n")
        #expect(result.status == 1)
        #expect(result.stdoutText == "1\n")
        #expect(result.stderr.contains("frame 2"))
    }

    @Test func unknownNamesAreUsageErrorsThatListWhatExists() async throws {
        let codec = try await TemblorProcess.run(["codec", "--from", "jsonn", "--to", "json"], stdin: "1\n")
        #expect(codec.status == 64)
        #expect(codec.stderr.contains("unknown codec 'jsonn'; known: "), "\(codec.stderr)")
        #expect(codec.stderr.contains("json"))
        let pre = try await TemblorProcess.run(["codec", "--from", "json", "--to", "json", "--pre", "gunzip"], stdin: "1\n")
        #expect(pre.status == 64)
        #expect(pre.stderr.contains("unknown preprocessor 'gunzip'"), "\(pre.stderr)")
        let config = try await TemblorProcess.run(["codec", "--from", "json", "--to", "json", "--pre", "separate:seperator=|"], stdin: "1\n")
        #expect(config.status == 64)
        #expect(config.stderr.contains("separate: config 'seperator': unknown key"), "\(config.stderr)")
        let missing = try await TemblorProcess.run(["codec", "--from", "json"], stdin: "1\n")
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--to"))
    }

    @Test func listNamesEveryCodecAndProcessor() async throws {
        let result = try await TemblorProcess.run(["codec", "--list"])
        #expect(result.status == 0)
        for name in ["json", "msgpack", "string", "binary", "yaml", "csv", "influx", "separate", "length-prefixed", "base64", "gzip", "zlib"] {
            #expect(result.stdoutText.contains(name), "--list does not name \(name)")
        }
    }

    @Test func processorSettingsAndCompressionChains() async throws {
        let input = (1...200).map { #"{"n":\#($0)}"# }.joined(separator: "|")
        let compressed = try await TemblorProcess.run(
            ["codec", "--from", "json", "--to", "json", "--pre", "separate:separator=|", "--post", "separate", "--post", "gzip"], stdin: input)
        #expect(compressed.status == 0, "\(compressed.stderr)")
        #expect(Array(compressed.stdout.prefix(2)) == [0x1F, 0x8B], "output is not gzip")
        let plain = try await TemblorProcess.run(["codec", "--from", "json", "--to", "json", "--pre", "gzip", "--pre", "separate"], stdin: compressed.stdout)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdoutText == (1...200).map { #"{"n":\#($0)}"# + "\n" }.joined())
    }

    @Test func wholeInputAsOneFrame() async throws {
        let result = try await TemblorProcess.run(["codec", "--from", "json", "--to", "json", "--pre", "none"], stdin: "{\n  \"a\": [1,\n 2]\n}\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == "{\"a\":[1,2]}\n")
    }
}
