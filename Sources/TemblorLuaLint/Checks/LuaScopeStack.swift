/// The locals visible at a point of a walk, innermost scope last, each with what a check
/// tracks about it; a local's `Info` can be updated where it is assigned.
struct LuaScopeStack<Info: Sendable>: Sendable {
    private var frames: [[String: Int]] = [[:]]
    private var infos: [Info] = []

    mutating func push() { frames.append([:]) }

    mutating func pop() { frames.removeLast() }

    /// Declares `name` in the innermost scope, shadowing any outer one; returns its id.
    @discardableResult
    mutating func declare(_ name: String, _ info: Info) -> Int {
        infos.append(info)
        frames[frames.count - 1][name] = infos.count - 1
        return infos.count - 1
    }

    /// The id of the local `name` refers to here, nil for a global.
    func lookup(_ name: String) -> Int? {
        for frame in frames.reversed() {
            if let id = frame[name] { return id }
        }
        return nil
    }

    subscript(id: Int) -> Info {
        get { infos[id] }
        set { infos[id] = newValue }
    }
}
