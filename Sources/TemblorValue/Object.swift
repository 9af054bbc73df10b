/// The storage of an object value: key/value entries in insertion order.
///
/// Event objects are small, so entries live in one contiguous array and short objects are
/// searched linearly; past `indexThreshold` keys a hash index keeps lookups constant-time.
public struct Object: Sendable {
    /// One key with its value.
    public typealias Entry = (key: String, value: Value)

    /// A key with its value, as stored: a struct, not a tuple, because arrays of tuples destroy
    /// their elements through generic runtime calls, measurably slower on the decode path.
    public struct Member: Sendable {
        public var key: String
        public var value: Value

        @inlinable
        public init(key: consuming String, value: consuming Value) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var entries: ContiguousArray<Member>
    @usableFromInline var index: [String: Int]?

    /// Objects with more keys than this get a hash index.
    @usableFromInline static let indexThreshold = 16

    /// An empty object.
    @inlinable
    public init() {
        entries = []
        index = nil
    }

    /// An empty object with room for `capacity` entries, for decoders that know the size.
    @inlinable
    public init(minimumCapacity capacity: Int) {
        entries = []
        entries.reserveCapacity(capacity)
        index = nil
    }

    /// An object from members whose keys the caller has already made distinct, as decoders do;
    /// the keys are not checked again.
    @inlinable
    public init(uniqueMembers: consuming ContiguousArray<Member>) {
        entries = uniqueMembers
        index = nil
        if entries.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    /// An object from members in order; a repeated key keeps its first position and its last value.
    public init(members: some Sequence<Member>) {
        self.init()
        for member in members {
            self[member.key] = member.value
        }
    }

    /// An object from entries in order; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ entries: S) where S.Element == Entry {
        self.init()
        for (key, value) in entries {
            self[key] = value
        }
    }

    /// The stored members in order, for code that walks every key without copying entries out.
    @inlinable public var members: ContiguousArray<Member> { entries }

    /// The number of keys.
    @inlinable public var count: Int { entries.count }
    @inlinable public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order.
    public var keys: some RandomAccessCollection<String> { entries.lazy.map(\.key) }

    /// The values in key-insertion order.
    public var values: some RandomAccessCollection<Value> { entries.lazy.map(\.value) }

    /// Where `key` is stored, if present.
    @inlinable
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        return entries.firstIndex { $0.key == key }
    }

    /// The value for `key`; setting `nil` removes the key, setting a new key appends it.
    @inlinable
    public subscript(key: String) -> Value? {
        get {
            guard let i = position(of: key) else { return nil }
            return entries[i].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets `value` for `key` (appending a new key at the end) and returns the previous value.
    @inlinable
    @discardableResult
    public mutating func updateValue(_ value: consuming Value, forKey key: consuming String) -> Value? {
        if let i = position(of: key) {
            let old = entries[i].value
            entries[i].value = value
            return old
        }
        appendUnchecked(key: key, value: value)
        return nil
    }

    /// Appends an entry whose key the caller knows is not present yet (decoders of unique keys).
    @inlinable
    public mutating func appendUnchecked(key: consuming String, value: consuming Value) {
        if index != nil {
            index![copy key] = entries.count
            entries.append(Member(key: key, value: value))
            return
        }
        entries.append(Member(key: key, value: value))
        if entries.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    /// Removes `key` and returns its value; later keys keep their relative order.
    @inlinable
    @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? {
        guard let i = position(of: key) else { return nil }
        let old = entries.remove(at: i).value
        if index != nil {
            if entries.count > Self.indexThreshold {
                rebuildIndex()
            } else {
                index = nil
            }
        }
        return old
    }

    @usableFromInline
    mutating func rebuildIndex() {
        var map = [String: Int](minimumCapacity: entries.count)
        for (i, entry) in entries.enumerated() {
            map[entry.key] = i
        }
        index = map
    }
}

extension Object: RandomAccessCollection {
    public typealias Index = Int
    @inlinable public var startIndex: Int { entries.startIndex }
    @inlinable public var endIndex: Int { entries.endIndex }
    @inlinable public subscript(position: Int) -> Entry { (entries[position].key, entries[position].value) }
}

extension Object: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements.lazy.map { (key: $0.0, value: $0.1) })
    }
}

extension Object: Equatable {
    /// Objects are equal when they hold the same keys with equal values, in any order.
    public static func == (lhs: Object, rhs: Object) -> Bool {
        guard lhs.count == rhs.count else { return false }
        // Same order is the common case and needs no lookups.
        var sameOrder = true
        for i in 0..<lhs.count where lhs.entries[i].key != rhs.entries[i].key {
            sameOrder = false
            break
        }
        if sameOrder {
            for i in 0..<lhs.count where lhs.entries[i].value != rhs.entries[i].value {
                return false
            }
            return true
        }
        for (key, value) in lhs {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }
}

extension Object: Hashable {
    /// Order-independent, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in self {
            var entryHasher = Hasher()
            entryHasher.combine(key)
            entryHasher.combine(value)
            sum = sum &+ entryHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(sum)
    }
}
