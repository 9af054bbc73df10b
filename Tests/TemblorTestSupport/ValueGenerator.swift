import TemblorValue

/// A small, fast, seedable random source so that property tests replay exactly.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A number in 0..<n.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// One of `items`, uniformly.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Generates values of every kind and depth for round-trip properties.
public struct ValueGenerator {
    /// Which kinds a codec can carry; JSON, for one, has no bytes and no NaN.
    public struct Kinds {
        public var bytes = true
        public var nonFiniteFloats = true
        public var maxDepth = 5
        public var maxWidth = 6

        public init(bytes: Bool = true, nonFiniteFloats: Bool = true, maxDepth: Int = 5, maxWidth: Int = 6) {
            self.bytes = bytes
            self.nonFiniteFloats = nonFiniteFloats
            self.maxDepth = maxDepth
            self.maxWidth = maxWidth
        }
    }

    public var rng: SplitMix64
    public var kinds: Kinds

    public init(seed: UInt64, kinds: Kinds = Kinds()) {
        rng = SplitMix64(seed: seed)
        self.kinds = kinds
    }

    public static let interestingIntegers: [Int64] = [
        0, 1, -1, 31, 32, -32, -33, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769,
        65535, 65536, Int64(Int32.max), Int64(Int32.max) + 1, Int64(Int32.min), Int64(Int32.min) - 1,
        Int64(UInt32.max), Int64(UInt32.max) + 1, Int64.max, Int64.min, 1 << 53, (1 << 53) + 1,
    ]

    public static let interestingStrings: [String] = [
        "", "a", "hello world", "quote \" and backslash \\", "line\nbreak\ttab\r", "\u{0}\u{1}\u{1F}",
        "café", "日本語", "emoji 🎉", "ζeta", "/slash/", "true", "null", "123", "-1.5e3", " padded ",
        String(repeating: "x", count: 31), String(repeating: "y", count: 32), String(repeating: "z", count: 300),
    ]

    public mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    public mutating func scalar() -> Value {
        switch int(in: 0...9) {
        case 0: return .null
        case 1: return .bool(int(in: 0...1) == 1)
        case 2: return .int(Self.interestingIntegers[int(in: 0...Self.interestingIntegers.count - 1)])
        case 3: return .int(Int64(bitPattern: rng.next()) >> Int64(int(in: 0...63)))
        case 4: return .integer(UInt64(Int64.max) + 1 + rng.next() % (UInt64.max - UInt64(Int64.max)))
        case 5:
            let specials: [Double] = [0.0, -0.0, 1.0, -1.5, 0.1, 1e-300, 1.7976931348623157e308, .leastNonzeroMagnitude, 123456.789]
            if kinds.nonFiniteFloats && int(in: 0...5) == 0 {
                return .float([Double.infinity, -Double.infinity, Double.nan][int(in: 0...2)])
            }
            return .float(int(in: 0...1) == 0 ? specials[int(in: 0...specials.count - 1)] : Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF))
        case 6, 7: return .string(string())
        default:
            if kinds.bytes {
                return .bytes((0..<int(in: 0...40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            }
            return .string(string())
        }
    }

    public mutating func string() -> String {
        if int(in: 0...2) == 0 { return Self.interestingStrings[int(in: 0...Self.interestingStrings.count - 1)] }
        var s = String.UnicodeScalarView()
        for _ in 0..<int(in: 0...24) {
            let pick = int(in: 0...9)
            let scalar: Unicode.Scalar
            switch pick {
            case 0: scalar = Unicode.Scalar(UInt8(int(in: 0...0x1F)))
            case 1: scalar = Unicode.Scalar(UInt32(int(in: 0x80...0x7FF)))!
            case 2: scalar = Unicode.Scalar(UInt32(int(in: 0x4E00...0x9FFF)))!
            case 3: scalar = Unicode.Scalar(UInt32(int(in: 0x1F300...0x1F64F)))!
            default: scalar = Unicode.Scalar(UInt8(int(in: 0x20...0x7E)))
            }
            s.append(scalar)
        }
        return String(s)
    }

    public mutating func value(depth: Int = 0) -> Value {
        if depth >= kinds.maxDepth || int(in: 0...2) != 0 { return scalar() }
        if int(in: 0...1) == 0 {
            return .array((0..<int(in: 0...kinds.maxWidth)).map { _ in value(depth: depth + 1) })
        }
        var object = Object()
        for _ in 0..<int(in: 0...kinds.maxWidth) {
            object[string()] = value(depth: depth + 1)
        }
        return .object(object)
    }

    /// Same values, with keys in the same order: what a round trip must preserve.
    public static func sameOrder(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && sameOrder($0.value, $1.value) }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameOrder($0, $1) }
        default:
            return a == b
        }
    }
}
