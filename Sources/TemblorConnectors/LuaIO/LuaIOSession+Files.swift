import TemblorLua
import TemblorValue

extension LuaIOSession {
    func fsRead(_ path: String) async -> LuaIOResult {
        let resolved: LuaFileSystem.Resolved
        switch await checkPath(path, write: false) {
        case .success(let checked): resolved = checked
        case .failure(let failure): return .failure(failure.message)
        }
        let limit = budget.capacity
        let description = budget.limitDescription
        switch await offload({ () throws(LuaIOFailure) in try LuaFileSystem.read(resolved.path, limit: limit, limitDescription: description) }) {
        case .success(let bytes): return .values([.bytes(bytes)])
        case .failure(let failure): return .failure(failure.message)
        }
    }

    func fsWrite(_ path: String, _ bytes: [UInt8], append: Bool) async -> LuaIOResult {
        let resolved: LuaFileSystem.Resolved
        switch await checkPath(path, write: true) {
        case .success(let checked): resolved = checked
        case .failure(let failure): return .failure(failure.message)
        }
        guard !resolved.parentMissing else {
            return .failure("no such directory: /\(resolved.path.split(separator: "/").dropLast().joined(separator: "/"))")
        }
        switch await offload({ () throws(LuaIOFailure) in try LuaFileSystem.write(resolved.path, bytes, append: append) }) {
        case .success(let count): return .values([.int(Int64(count))])
        case .failure(let failure): return .failure(failure.message)
        }
    }

    func fsList(_ path: String) async -> LuaIOResult {
        let resolved: LuaFileSystem.Resolved
        switch await checkPath(path, write: false) {
        case .success(let checked): resolved = checked
        case .failure(let failure): return .failure(failure.message)
        }
        switch await offload({ () throws(LuaIOFailure) in try LuaFileSystem.list(resolved.path) }) {
        case .success(let names): return .values([.array(names.map { .string($0) })])
        case .failure(let failure): return .failure(failure.message)
        }
    }

    func fsOpenLines(_ path: String) async -> LuaIOResult {
        let resolved: LuaFileSystem.Resolved
        switch await checkPath(path, write: false) {
        case .success(let checked): resolved = checked
        case .failure(let failure): return .failure(failure.message)
        }
        if let failure = reserveFile() { return .failure(failure.message) }
        let limit = budget.capacity
        let description = budget.limitDescription
        let opened = await offload { () throws(LuaIOFailure) in
            LuaLineReader(fd: try LuaFileSystem.openLines(resolved.path), path: resolved.path, limit: limit, limitDescription: description)
        }
        switch opened {
        case .success(let reader):
            guard !closed else {
                reader.close()
                releaseFile()
                return .failure("closed")
            }
            return .values([.int(Int64(add(.lines(reader))))])
        case .failure(let failure):
            releaseFile()
            return .failure(failure.message)
        }
    }

    func fsNextLine(_ handle: Int) async -> LuaIOResult {
        guard case .lines(let reader) = resource(handle) else { return .failure("closed") }
        switch await offload({ () throws(LuaIOFailure) in try reader.next() }) {
        case .success(let line?):
            return .values([.bytes(line)])
        case .success(nil):
            // The end: the reader closes itself.
            await close(handle: handle)
            return .values([])
        case .failure(let failure):
            return .failure(failure.message)
        }
    }
}
