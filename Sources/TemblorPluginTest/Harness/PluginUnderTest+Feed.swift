import TemblorLua
import TemblorValue

extension PluginUnderTest {
    /// `p:feed(event, meta)`: one event into `on_event`, acked or failed as a flow would, or, for
    /// an operator, routed by what `on_event` returns. `nil` when it went through, else why not.
    func feed(_ payload: Value, meta: Value) -> String? {
        if let failure = start() { return failure }
        let meta = meta.isNull ? Value.object(Object()) : meta
        guard plugin.has(.onEvent) else {
            failed += 1
            let message = "the plugin has no on_event: events sent to it fail"
            record(message)
            return message
        }
        return spec.isOperator ? feedOperator(payload, meta: meta) : feedConnector(payload, meta: meta)
    }

    private func feedConnector(_ payload: Value, meta: Value) -> String? {
        let mark = plugin.emissions.count
        let failure: LuaError?
        if waits {
            switch drive(plugin.beginEvent(payload, meta: meta)) {
            case .success: failure = nil
            case .failure(let error): failure = error
            }
        } else {
            let event = Event(payload: payload, meta: meta, id: EventId(source: 1, sequence: UInt64(acked + failed + 1)))
            failure = plugin.deliver([event], from: 0).failure
        }
        settle(keepingEmissions: failure == nil, from: mark)
        guard let failure else {
            acked += 1
            return nil
        }
        failed += 1
        record("on_event: \(failure)")
        restartIfOverLimit(failure)
        return "on_event: \(failure)"
    }

    /// As a pipeline runs a Lua operator: a value goes on (with `meta` as the script left it), on
    /// `out` or the port it names; `nil` drops the event; an error sends it to `err` with
    /// `meta.error`.
    private func feedOperator(_ payload: Value, meta: Value) -> String? {
        let result: LuaEventResult
        do throws(LuaError) {
            result = try plugin.deliverKeepingMeta(payload, meta: meta)
            plugin.emissions = []
        } catch {
            plugin.emissions = []
            failed += 1
            record("on_event: \(error)")
            var errorMeta = meta.objectValue ?? Object()
            errorMeta["error"] = .string("on_event: \(error)")
            emitted.append(Self.emittedEvent(payload, meta: .object(errorMeta), port: "err"))
            restartIfOverLimit(error)
            return "on_event: \(error)"
        }
        guard let value = result.value else {
            acked += 1
            return nil
        }
        let port = result.port ?? "out"
        guard port == "out" || port == "err" || plugin.info.ports.contains(port) else {
            failed += 1
            let message = "on_event routed the event to port '\(port)', which the plugin's ports do not declare (ports = { \"\(port)\" })"
            record(message)
            return message
        }
        acked += 1
        let kept = result.meta.map { $0.isNull ? Value.object(Object()) : $0 } ?? meta
        emitted.append(Self.emittedEvent(value, meta: kept, port: port))
        return nil
    }
}
