import TemblorValue

/// How a connector retries a lost or refused connection: exponential backoff from `initialMs`,
/// capped at `maxMs`, shortened by up to `jitter` of itself so that many clients do not retry
/// in step, and given up after `maxRetries` retries in a row (never, when `nil`).
public struct ReconnectStrategy: Sendable, Equatable {
    /// The delay before the first retry, in milliseconds.
    public var initialMs: Int
    /// The longest delay, in milliseconds; growth stops there.
    public var maxMs: Int
    /// What each retry multiplies the delay by (1 keeps it constant).
    public var multiplier: Double
    /// The largest fraction (0...1) by which a delay is randomly shortened.
    public var jitter: Double
    /// Retries allowed after the first attempt before giving up; `nil` retries forever.
    public var maxRetries: Int?

    /// The keys a flow's `reconnect:` mapping may hold.
    public static let keys = ["initial_ms", "jitter", "max_ms", "max_retries", "multiplier"]

    /// A strategy with Tremor's defaults unless given; values are taken as they are (the
    /// flow's `reconnect:` mapping goes through `init(_:)`, which checks them).
    public init(initialMs: Int = 100, maxMs: Int = 10_000, multiplier: Double = 2, jitter: Double = 0.2, maxRetries: Int? = nil) {
        self.initialMs = initialMs
        self.maxMs = maxMs
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxRetries = maxRetries
    }

    /// Reads a flow's `reconnect:` mapping (`null` for every default); errors name the key as
    /// `reconnect.<key>`.
    public init(_ config: Value) throws(ConnectorConfigError) {
        self.init()
        let object: Object
        switch config {
        case .null:
            return
        case .object(let o):
            object = o
        default:
            throw ConnectorConfigError(key: "reconnect", "expected a mapping with keys \(Self.keys.joined(separator: ", ")), got \(config.typeName)")
        }
        for key in object.keys where !Self.keys.contains(key) {
            throw ConnectorConfigError(key: "reconnect.\(key)", "unknown key; known keys: \(Self.keys.joined(separator: ", "))")
        }
        let day = 86_400_000
        if let ms = try Self.int(config, "initial_ms", in: 1...day) { initialMs = ms }
        if let ms = try Self.int(config, "max_ms", in: 1...day) { maxMs = ms }
        guard maxMs >= initialMs else {
            throw ConnectorConfigError(key: "reconnect.max_ms", "must be at least initial_ms (\(initialMs)), got \(maxMs)")
        }
        if let raw = config["multiplier"] {
            guard let m = raw.doubleValue, m.isFinite, m >= 1, m <= 1000 else {
                throw ConnectorConfigError(key: "reconnect.multiplier", "expected a number in 1...1000, got \(raw)")
            }
            multiplier = m
        }
        if let raw = config["jitter"] {
            guard let j = raw.doubleValue, j.isFinite, j >= 0, j <= 1 else {
                throw ConnectorConfigError(key: "reconnect.jitter", "expected a number in 0...1, got \(raw)")
            }
            jitter = j
        }
        if let n = try Self.int(config, "max_retries", in: 0...Int(Int32.max)) { maxRetries = n }
    }

    private static func int(_ config: Value, _ key: String, in range: ClosedRange<Int>) throws(ConnectorConfigError) -> Int? {
        guard let raw = config[key] else { return nil }
        guard let i = raw.intValue, let n = Int(exactly: i), range.contains(n) else {
            throw ConnectorConfigError(key: "reconnect.\(key)", "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(raw)")
        }
        return n
    }

    /// The delay before retry number `retry` (1 for the first retry after a failure), before
    /// jitter: `initialMs * multiplier^(retry-1)`, at most `maxMs`.
    public func nominalDelayMs(beforeRetry retry: Int) -> Double {
        var delay = Double(initialMs)
        let cap = Double(maxMs)
        if multiplier > 1 {
            var step = 1
            while step < retry, delay < cap {
                delay *= multiplier
                step += 1
            }
        }
        return min(delay, cap)
    }

    /// The delay in milliseconds before retry number `retry` (counting from 1), or `nil` once
    /// `maxRetries` are used up. `unitRandom` yields numbers in 0...1; the delay is shortened
    /// by `jitter * unitRandom()` of itself, so it lies within `nominal * (1 - jitter)...nominal`.
    public func delayMs(beforeRetry retry: Int, unitRandom: () -> Double) -> Double? {
        if let maxRetries, retry > maxRetries { return nil }
        let nominal = nominalDelayMs(beforeRetry: max(retry, 1))
        let u = min(max(unitRandom(), 0), 1)
        return nominal * (1 - jitter * u)
    }

    /// The delay before retry number `retry`, with system randomness, or `nil` when giving up.
    public func delay(beforeRetry retry: Int) -> Duration? {
        guard let ms = delayMs(beforeRetry: retry, unitRandom: { Double.random(in: 0...1) }) else { return nil }
        return .microseconds(Int64(ms * 1000))
    }
}
