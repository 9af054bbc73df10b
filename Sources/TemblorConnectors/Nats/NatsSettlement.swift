import TemblorNATS

/// What becomes of a JetStream message once its events' fate is known, as the settling task
/// tells the server.
enum NatsSettlement: Sendable {
    /// Every event was delivered: `+ACK`.
    case ack(JetStreamMessage)
    /// An event failed: `-NAK`, delivered again after `delay`.
    case nak(JetStreamMessage, delay: Duration)
    /// Never deliver it again: `+TERM`.
    case term(JetStreamMessage)
    /// The last delivery failed: the message goes to `err` as event `sequence` of the dead-letter
    /// stream, and is terminated once `err` took it.
    case deadLetter(JetStreamMessage, sequence: UInt64, reason: String)
    /// Still being worked on: `+WPI` restarts their ack wait.
    case inProgress([JetStreamMessage])
}
