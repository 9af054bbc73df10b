#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exclusive hold on a wal directory: an flock on its `lock` file, which also holds the pid
/// of the holder for the error the next one gets. The kernel drops it when the process dies, so
/// a crash never leaves a directory locked.
final class WalLock: Sendable {
    private let file: WalFile

    private init(file: WalFile) {
        self.file = file
    }

    /// Takes the lock of `directory`, or says who has it.
    static func acquire(_ directory: String) throws(WalError) -> WalLock {
        let path = directory + "/" + WalFormat.lockFile
        let file = try WalFile.open(path, create: true)
        // A process spawned by this one holds a copy of the descriptor (and so the lock) from its
        // fork to its exec: a refusal is retried for a moment before it is believed.
        var result = flock(file.descriptor, LOCK_EX | LOCK_NB)
        var code = result == 0 ? 0 : errno
        var tries = 0
        while result != 0 && code == EWOULDBLOCK && tries < 20 {
            tries += 1
            usleep(10_000)
            result = flock(file.descriptor, LOCK_EX | LOCK_NB)
            code = result == 0 ? 0 : errno
        }
        guard result == 0 else {
            guard code == EWOULDBLOCK else { throw .io(path: path, operation: "lock", errno: code) }
            let holder = pid(in: file)
            throw .locked(directory: directory, holder: holder.map { $0 == getpid() ? "this process (another connector)" : "process \($0)" } ?? "another process")
        }
        let pid = Array("\(getpid())\n".utf8)
        try file.truncate(to: 0)
        try file.write(pid, at: 0)
        return WalLock(file: file)
    }

    /// The pid in the lock file of `directory` while its lock is held, else `nil`.
    static func holder(of directory: String) -> Int32? {
        let path = directory + "/" + WalFormat.lockFile
        guard let file = try? WalFile.open(path, readOnly: true) else { return nil }
        if flock(file.descriptor, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(file.descriptor, LOCK_UN)
            return nil
        }
        return Self.pid(in: file) ?? -1
    }

    private static func pid(in file: WalFile) -> Int32? {
        (try? file.read(at: 0, count: 32)).map { String(decoding: $0, as: UTF8.self) }
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) } }
    }
}
