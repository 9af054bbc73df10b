#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import TemblorCodecs
import TemblorValue

/// Codec benchmarks, reported in the reference host's format so that the two lines compare
/// directly: `mode=... events=... seconds=... events_per_s=... mb_per_s=... ns_per_event=...`.
///
///     TemblorBenchmarks json-decode FILE         # whole file in memory, lines by memchr, decode each
///     TemblorBenchmarks json-parse FILE          # the same, parsing only: the parser's share
///     TemblorBenchmarks json-decode-stream FILE  # 64 KiB chunks through `separate`, then decode
///     TemblorBenchmarks json-encode FILE         # decode in batches, time only the encoding
///     TemblorBenchmarks json-lua FILE [SCRIPT]   # each line straight into a Lua table, then on_event
///     TemblorBenchmarks flow FLOW.yaml           # a whole flow, in-process (for profilers)
///     TemblorBenchmarks lua-idle                 # the memory of idle plugin states
///     TemblorBenchmarks reload [EVENTS]          # hot reload under load: swap times, throughput
///     TemblorBenchmarks hummingbird PORT         # a plain Hummingbird server, the web benchmarks' reference
///     TemblorBenchmarks ws-echo [CLIENTS] [MESSAGES]  # a plain Hummingbird WebSocket echo, then ws_server's: messages/s
@main
enum Benchmarks {
    static func main() throws {
        let args = CommandLine.arguments
        if args.count == 3 && args[1] == "flow" {
            // The main thread waits on a semaphore rather than parking in an async main, which
            // profilers such as callgrind cannot follow.
            let done = DispatchSemaphore(value: 0)
            let path = args[2]
            Task.detached {
                do {
                    try await FlowBenchmarks.run(path)
                } catch {
                    print("flow failed: \(error)")
                }
                done.signal()
            }
            done.wait()
            return
        }
        if (args.count == 2 || args.count == 3) && args[1] == "reload" {
            let events = args.count == 3 ? Int(args[2]) ?? 3_000_000 : 3_000_000
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                do {
                    try await ReloadBenchmarks.run(events: events)
                } catch {
                    print("reload failed: \(error)")
                }
                done.signal()
            }
            done.wait()
            return
        }
        if (2...4).contains(args.count) && args[1] == "ws-echo" {
            let clients = args.count >= 3 ? Int(args[2]) ?? 20 : 20
            let messages = args.count == 4 ? Int(args[3]) ?? 10_000 : 10_000
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                do {
                    try await WebSocketBenchmarks.plainEcho(clients: clients, messages: messages)
                    try await WebSocketBenchmarks.echo(clients: clients, messages: messages)
                } catch {
                    print("ws-echo failed: \(error)")
                }
                done.signal()
            }
            done.wait()
            return
        }
        if args.count == 3 && args[1] == "hummingbird", let port = Int(args[2]) {
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                do {
                    try await HttpBenchmarks.plainHummingbird(port: port)
                } catch {
                    print("hummingbird failed: \(error)")
                }
                done.signal()
            }
            done.wait()
            return
        }
        if args.count == 2 && args[1] == "lua-idle" {
            try LuaBenchmarks.idle()
            return
        }
        guard args.count == 3 || (args.count == 4 && args[1] == "json-lua") else {
            print("usage: TemblorBenchmarks json-decode|json-parse|json-decode-stream|json-encode FILE")
            print("       TemblorBenchmarks json-lua FILE [SCRIPT.lua]")
            exit(2)
        }
        let data = try BenchmarkFile.load(args[2])
        let result: BenchmarkResult
        switch args[1] {
        case "json-decode": result = try JSONBenchmarks.decode(data)
        case "json-parse": result = try JSONBenchmarks.parse(data)
        case "json-decode-stream": result = try JSONBenchmarks.decodeStream(data)
        case "json-encode": result = try JSONBenchmarks.encode(data)
        case "json-lua": result = try LuaBenchmarks.jsonLua(data, script: args.count == 4 ? args[3] : nil)
        default:
            print("unknown mode \(args[1])")
            exit(2)
        }
        print(result.line(mode: args[1]))
    }
}
