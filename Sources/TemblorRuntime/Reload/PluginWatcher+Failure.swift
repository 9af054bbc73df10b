#if canImport(Glibc)
import Glibc
#endif

extension PluginWatcher {
    /// Why a watcher could not start or a directory could not be watched, with the path and the
    /// system's reason, ready to print.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// The directory concerned, if any.
        public var path: String?
        /// The system error (`ENOENT` for a missing directory, `ENOTDIR`, `ENOSPC` when the
        /// user's inotify watch limit is reached...).
        public var errno: Int32
        /// Further directories that failed in the same call.
        public var others: [Failure] = []
        var operation: String

        init(operation: String, path: String?, errno: Int32) {
            self.operation = operation
            self.path = path
            self.errno = errno
        }

        init(combining failures: [Failure]) {
            self = failures[0]
            others = Array(failures.dropFirst())
        }

        public var description: String {
            ([self.single] + others.map(\.single)).joined(separator: "; ")
        }

        private var single: String {
            let reason = String(cString: strerror(errno))
            guard let path else {
                return errno == EBADF ? "cannot watch plugin files: the watcher is stopped" : "cannot watch plugin files: \(operation) failed: \(reason)"
            }
            switch errno {
            case ENOENT: return "cannot watch plugin directory \(path): it does not exist"
            case ENOTDIR: return "cannot watch plugin directory \(path): not a directory"
            case ENOSPC: return "cannot watch plugin directory \(path): the inotify watch limit is reached (fs.inotify.max_user_watches)"
            default: return "cannot watch plugin directory \(path): \(reason)"
            }
        }
    }
}
