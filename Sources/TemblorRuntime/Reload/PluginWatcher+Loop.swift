// Invariants of this file: the inotify descriptor and the wake-up pipe are opened by `init` and closed
// once, by `stop()` after it joined the thread (or by `start()` when no thread could start): the
// thread never reads a closed or reused descriptor. The watch table is only changed under the
// state's lock, which the thread also takes to name an event's directory, so an event is never
// attributed to a directory dropped in the meantime (events of a dropped watch find no directory
// and are ignored). The thread holds the loop retained until it returns; the loop holds nothing
// of the watcher, so the watcher's `deinit` can stop and join it.
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

extension PluginWatcher {
    /// The watcher thread and what it shares with the callers: the descriptors, the watches and
    /// the batches it hands to the delivery task.
    final class Loop: Sendable {
        /// What inotify reports: a file written and closed, renamed or linked in, created,
        /// deleted, renamed away or touched. Renames cover editors that write a copy and move it
        /// over the original; create and delete cover vim's backup dance. The directory's own
        /// removal or move is reported so it can be dropped with a warning.
        static let mask: UInt32 = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_DELETE)
            | UInt32(IN_MOVED_FROM) | UInt32(IN_ATTRIB) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ONLYDIR)

        struct State: Sendable {
            /// The directories of each watch descriptor (two spellings of one directory share it).
            var directories: [Int32: [String]] = [:]
            var descriptors: [String: Int32] = [:]
            var thread: pthread_t?
            var running = false
            var stopped = false
        }

        let inotify: Int32
        /// A pipe: `stop()` writes a byte, the thread polls the other end.
        let wakeup: (read: Int32, write: Int32)
        let debounceNanoseconds: UInt64
        let maximumDelayNanoseconds: UInt64
        let logger: Logger
        let batches: AsyncStream<Set<String>>.Continuation
        let state = Mutex(State())

        init(
            debounceNanoseconds: UInt64, maximumDelayNanoseconds: UInt64, logger: Logger,
            batches: AsyncStream<Set<String>>.Continuation
        ) throws(Failure) {
            let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard inotify >= 0 else {
                batches.finish()
                throw Failure(operation: "inotify_init1", path: nil, errno: errno)
            }
            var pipe: [Int32] = [-1, -1]
            guard Glibc.pipe(&pipe) == 0 else {
                let code = errno
                close(inotify)
                batches.finish()
                throw Failure(operation: "pipe", path: nil, errno: code)
            }
            for end in pipe {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            self.inotify = inotify
            self.wakeup = (pipe[0], pipe[1])
            self.debounceNanoseconds = debounceNanoseconds
            self.maximumDelayNanoseconds = maximumDelayNanoseconds
            self.logger = logger
            self.batches = batches
        }

        /// Starts the thread; on failure the descriptors are closed and the batches finished.
        func start() throws(Failure) {
            let context = Unmanaged.passRetained(self).toOpaque()
            state.withLock { $0.running = true }
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { context in
                Unmanaged<Loop>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
            guard started == 0 else {
                Unmanaged<Loop>.fromOpaque(context).release()
                state.withLock {
                    $0.running = false
                    $0.stopped = true
                }
                close(inotify)
                close(wakeup.read)
                close(wakeup.write)
                batches.finish()
                throw Failure(operation: "pthread_create", path: nil, errno: started)
            }
            state.withLock { $0.thread = thread }
        }

        func watch(directories: [String]) throws(Failure) {
            let failures: [Failure] = state.withLock { state in
                guard !state.stopped else { return [Failure(operation: "watch", path: nil, errno: EBADF)] }
                let wanted = Set(directories)
                for (directory, descriptor) in state.descriptors where !wanted.contains(directory) {
                    Self.forget(directory, descriptor, in: &state)
                    if state.directories[descriptor] == nil { inotify_rm_watch(inotify, descriptor) }
                }
                var failures: [Failure] = []
                for directory in wanted.sorted() where state.descriptors[directory] == nil {
                    let descriptor = inotify_add_watch(inotify, directory, Self.mask)
                    guard descriptor >= 0 else {
                        failures.append(Failure(operation: "inotify_add_watch", path: directory, errno: errno))
                        continue
                    }
                    state.descriptors[directory] = descriptor
                    state.directories[descriptor, default: []].append(directory)
                }
                return failures
            }
            if !failures.isEmpty { throw Failure(combining: failures) }
        }

        var directories: [String] {
            state.withLock { $0.descriptors.keys.sorted() }
        }

        var isRunning: Bool {
            state.withLock { $0.running }
        }

        func stop() {
            let thread: pthread_t?? = state.withLock { state in
                guard !state.stopped else { return .none }
                state.stopped = true
                defer { state.thread = nil }
                return .some(state.thread)
            }
            guard case .some(let started) = thread else { return }
            var byte: UInt8 = 1
            _ = write(wakeup.write, &byte, 1)
            if let started { pthread_join(started, nil) }
            close(inotify)
            close(wakeup.read)
            close(wakeup.write)
            batches.finish()
        }

        private static func forget(_ directory: String, _ descriptor: Int32, in state: inout State) {
            state.descriptors[directory] = nil
            state.directories[descriptor]?.removeAll { $0 == directory }
            if state.directories[descriptor]?.isEmpty == true { state.directories[descriptor] = nil }
        }

        /// The thread: waits for events or the wake-up, collects changed paths, and hands them
        /// over once the debounce delay passed since the last one.
        private func run() {
            defer { state.withLock { $0.running = false } }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
            defer { buffer.deallocate() }
            var pending = Set<String>()
            var first: UInt64 = 0
            var last: UInt64 = 0
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0)]
            while true {
                var timeout: Int32 = -1
                if !pending.isEmpty {
                    let now = MonotonicClock.now()
                    let due = min(last + debounceNanoseconds, first + maximumDelayNanoseconds)
                    if now >= due {
                        batches.yield(pending)
                        pending = []
                        continue
                    }
                    timeout = Int32(min((due - now + 999_999) / 1_000_000, UInt64(Int32.max)))
                }
                fds[0].revents = 0
                fds[1].revents = 0
                let ready = poll(&fds, 2, timeout)
                if ready < 0 {
                    if errno == EINTR { continue }
                    logger.error("plugin watcher: poll failed: \(String(cString: strerror(errno))); files are no longer watched")
                    return
                }
                if fds[1].revents != 0 { return }
                if fds[0].revents & Int16(POLLIN) != 0 {
                    let wasEmpty = pending.isEmpty
                    guard read(into: &pending, buffer: buffer) else { return }
                    if !pending.isEmpty {
                        let now = MonotonicClock.now()
                        if wasEmpty { first = now }
                        last = now
                    }
                } else if fds[0].revents != 0 {
                    logger.error("plugin watcher: the inotify descriptor failed; files are no longer watched")
                    return
                }
            }
        }

        /// Reads every queued event; false when reading failed for good.
        private func read(into pending: inout Set<String>, buffer: UnsafeMutableRawBufferPointer) -> Bool {
            while true {
                let count = Glibc.read(inotify, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK { return true }
                    logger.error("plugin watcher: reading inotify events failed: \(String(cString: strerror(errno))); files are no longer watched")
                    return false
                }
                if count == 0 { return true }
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= count {
                    let event = buffer.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameBytes = UnsafeRawBufferPointer(rebasing: buffer[(offset + header)..<min(offset + header + Int(event.len), count)])
                    let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                    handle(event, name: name, into: &pending)
                    offset += header + Int(event.len)
                }
            }
        }

        private func handle(_ event: inotify_event, name: String, into pending: inout Set<String>) {
            if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                // Events were lost: every plugin file of every directory may have changed.
                let directories = self.directories
                logger.warning("plugin watcher: too many changes at once; checking every plugin file")
                for directory in directories {
                    for file in Self.luaFiles(in: directory) { pending.insert(directory + "/" + file) }
                }
                return
            }
            if event.mask & UInt32(IN_IGNORED) != 0 || event.mask & UInt32(IN_MOVE_SELF) != 0 {
                // The directory was removed, moved or unmounted (a watch dropped by `watch`
                // has already left the table).
                let gone: [String] = state.withLock { state in
                    let gone = state.directories[event.wd] ?? []
                    for directory in gone { Self.forget(directory, event.wd, in: &state) }
                    if !gone.isEmpty, event.mask & UInt32(IN_MOVE_SELF) != 0 { inotify_rm_watch(inotify, event.wd) }
                    return gone
                }
                for directory in gone {
                    logger.warning("plugin directory \(directory) was removed or moved; its plugins are no longer watched")
                }
                return
            }
            guard event.mask & UInt32(IN_ISDIR) == 0, Self.isPluginFile(name) else { return }
            let directories = state.withLock { $0.directories[event.wd] ?? [] }
            for directory in directories { pending.insert(directory + "/" + name) }
        }

        /// A `.lua` file, not an editor's lock file (`.#name.lua`).
        static func isPluginFile(_ name: String) -> Bool {
            name.hasSuffix(".lua") && name.count > 4 && !name.hasPrefix(".#")
        }

        static func luaFiles(in directory: String) -> [String] {
            guard let stream = opendir(directory) else { return [] }
            defer { closedir(stream) }
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: &entry.pointee.d_name) { bytes in
                    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                if isPluginFile(name) { names.append(name) }
            }
            return names
        }
    }
}
