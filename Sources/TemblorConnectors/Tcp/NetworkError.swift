/// A network connector could not listen, connect or send; the message names the address.
struct NetworkError: Error, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
