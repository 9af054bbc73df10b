import Logging

extension ConnectorLifecycle {
    /// Calls `connect` until it succeeds, waiting out `strategy`'s backoff between attempts;
    /// `false` once the retries are used up or the task is cancelled.
    func connect(retrying strategy: ReconnectStrategy, name: String, logger: Logger) async -> Bool {
        var retry = 0
        while !Task.isCancelled {
            let reason: String
            do {
                if try await connect() { return true }
                reason = "connect returned false"
            } catch {
                reason = "\(error)"
            }
            retry += 1
            guard let delay = strategy.delay(beforeRetry: retry) else {
                logger.error("connector \(name): cannot connect (\(reason)); giving up after \(retry) attempt(s)")
                return false
            }
            logger.warning("connector \(name): cannot connect (\(reason)); retrying in \(delay)")
            do {
                try await Task.sleep(for: delay)
            } catch {
                return false
            }
        }
        return false
    }
}
