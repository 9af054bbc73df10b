import CLua
import TemblorValue

/// A value flattened for the C side of the bridge: items depth first (an array item followed by
/// its elements, an object item by its key/value pairs) and the bytes of every string in one
/// buffer. `temblor_lua_push_item` builds the Lua value from it inside a protected call.
struct LuaTape {
    private(set) var items: [temblor_lua_item] = []
    private(set) var strings: [UInt8] = []

    /// Forgets the values appended so far, keeping the storage for the next ones.
    mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        strings.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the items and the string buffer as raw pointers, both valid (never
    /// NULL) for the duration of the call.
    mutating func withPointers<R>(_ body: (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> R) -> R {
        strings.append(0)  // never empty, so the buffer always has an address
        defer { strings.removeLast() }
        precondition(!items.isEmpty, "a tape is pushed with at least one value")
        return items.withUnsafeMutableBufferPointer { items in
            strings.withUnsafeMutableBufferPointer { bytes in
                body(UnsafeMutableRawPointer(items.baseAddress!), UnsafeMutableRawPointer(bytes.baseAddress!))
            }
        }
    }

    /// Appends `value` after what the tape holds.
    mutating func append(_ value: Value) {
        var item = temblor_lua_item()
        switch value {
        case .null: item.kind = Int32(TEMBLOR_ITEM_NULL)
        case .bool(let b): item.kind = Int32(b ? TEMBLOR_ITEM_TRUE : TEMBLOR_ITEM_FALSE)
        case .int(let i):
            item.kind = Int32(TEMBLOR_ITEM_INT)
            item.integer = i
        case .uint(let u):
            item.kind = Int32(TEMBLOR_ITEM_UINT)
            item.integer = Int64(bitPattern: u)
        case .float(let f):
            item.kind = Int32(TEMBLOR_ITEM_FLOAT)
            item.number = f
        case .string(let s):
            item.kind = Int32(TEMBLOR_ITEM_STRING)
            item.offset = strings.count
            strings.append(contentsOf: s.utf8)
            item.length = strings.count - item.offset
        case .bytes(let b):
            item.kind = Int32(TEMBLOR_ITEM_BYTES)
            item.offset = strings.count
            strings.append(contentsOf: b)
            item.length = b.count
        case .array(let elements):
            item.kind = Int32(TEMBLOR_ITEM_ARRAY)
            item.integer = Int64(elements.count)
            items.append(item)
            for element in elements { append(element) }
            return
        case .object(let object):
            item.kind = Int32(TEMBLOR_ITEM_OBJECT)
            item.integer = Int64(object.count)
            items.append(item)
            for (key, element) in object {
                append(.string(key))
                append(element)
            }
            return
        }
        items.append(item)
    }
}
