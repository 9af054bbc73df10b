extension WalLog {
    /// Every record up to `sequence` was delivered downstream: segments holding only such
    /// records are removed and writers waiting for space go on. The watermark reaches disk on
    /// `persistAcknowledged` (a crash before it replays those records again: never loses them).
    public func acknowledge(through sequence: UInt64) throws(WalError) {
        let moved = state.withLock { state in
            guard sequence > state.acknowledged else { return false }
            state.acknowledged = min(sequence, state.nextSequence - 1)
            return true
        }
        guard moved else { return }
        try reclaim()
        // A writer waiting on a full wal looks again: the segment it writes may be all acknowledged now.
        freed.fire()
    }

    /// Writes the acknowledged watermark to the `acked` file when it moved since the last time.
    public func persistAcknowledged() throws(WalError) {
        let (acknowledged, persisted, closed) = state.withLock { ($0.acknowledged, $0.acknowledgedPersisted, $0.closed) }
        guard acknowledged != persisted, !closed || acknowledged > persisted else { return }
        try WalFile.replace(directory + "/" + WalFormat.ackedFile, with: WalFormat.ackedContents(acknowledged))
        state.withLock { $0.acknowledgedPersisted = max($0.acknowledgedPersisted, acknowledged) }
    }

    /// Removes every segment but the newest whose records are all acknowledged.
    func reclaim() throws(WalError) {
        let removable: [String] = state.withLock { state in
            var paths: [String] = []
            while state.segments.count > 1 {
                let oldest = state.segments[0]
                let end = state.segments[1].first - 1
                guard (oldest.last ?? end) <= state.acknowledged || end <= state.acknowledged else { break }
                paths.append(oldest.path)
                state.segments.removeFirst()
            }
            return paths
        }
        guard !removable.isEmpty else { return }
        for path in removable { try WalFile.remove(path) }
        freed.fire()
    }
}
