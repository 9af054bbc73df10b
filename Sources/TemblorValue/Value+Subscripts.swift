extension Value {
    /// The field `key` of an object; `nil` for a missing key or a non-object. Setting on a
    /// non-object replaces it with an object, so `v["a"] = 1` always works.
    @inlinable
    public subscript(key: String) -> Value? {
        get {
            guard case .object(let object) = self else { return nil }
            return object[key]
        }
        set {
            var object: Object
            if case .object(let existing) = self {
                object = existing
                self = .null  // drop our reference so the mutation below does not copy
            } else {
                object = Object()
            }
            object[key] = newValue
            self = .object(object)
        }
    }

    /// The element at `index` of an array; `nil` when out of range or not an array.
    /// Setting replaces an existing element; it never grows the array.
    @inlinable
    public subscript(index: Int) -> Value? {
        get {
            guard case .array(let array) = self, array.indices.contains(index) else { return nil }
            return array[index]
        }
        set {
            guard case .array(var array) = self, array.indices.contains(index), let newValue else { return }
            self = .null
            array[index] = newValue
            self = .array(array)
        }
    }

    /// The value at `path`, or `nil` when any segment is missing.
    public subscript(path path: ValuePath) -> Value? {
        get {
            var current = self
            for segment in path.segments {
                switch current {
                case .object(let object):
                    guard let next = object[segment] else { return nil }
                    current = next
                case .array(let array):
                    guard let i = Int(segment), array.indices.contains(i) else { return nil }
                    current = array[i]
                default:
                    return nil
                }
            }
            return current
        }
        set {
            set(newValue, at: path.segments[...])
        }
    }

    /// The value at a dotted path such as `"http.status"`; `nil` for a missing or malformed path.
    public subscript(path text: String) -> Value? {
        get {
            guard let path = try? ValuePath(text) else { return nil }
            return self[path: path]
        }
        set {
            guard let path = try? ValuePath(text) else { return }
            self[path: path] = newValue
        }
    }

    /// Sets (or, with `nil`, removes) the value at `segments`, creating objects on the way.
    private mutating func set(_ newValue: Value?, at segments: ArraySlice<String>) {
        guard let first = segments.first else {
            self = newValue ?? .null
            return
        }
        let rest = segments.dropFirst()
        switch self {
        case .array(var array):
            guard let i = Int(first), array.indices.contains(i) else { return }
            self = .null
            if rest.isEmpty {
                if let newValue { array[i] = newValue } else { array.remove(at: i) }
            } else {
                array[i].set(newValue, at: rest)
            }
            self = .array(array)
        default:
            var object = objectValue ?? Object()
            self = .null
            if rest.isEmpty {
                object[first] = newValue
            } else if newValue != nil || object[first] != nil {
                var child = object[first] ?? .object(Object())
                object[first] = nil
                child.set(newValue, at: rest)
                object[first] = child
            }
            self = .object(object)
        }
    }
}
