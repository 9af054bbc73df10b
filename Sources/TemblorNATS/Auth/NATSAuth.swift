/// How the client proves who it is in CONNECT.
public enum NATSAuth: Sendable {
    /// No credentials (a URL's `user:pass@` or `token@` is still used).
    case none
    /// A server-wide token (`--auth` / `authorization { token }`).
    case token(String)
    /// A user and password.
    case user(String, password: String)
    /// A user JWT and the nkey seed (`SU…`) it was issued to: the seed signs the server's nonce.
    case credentials(jwt: String, seed: String)
    /// An nkey user without a JWT (`authorization { users = [{ nkey: "U…" }] }`): the seed signs
    /// the nonce and the public key names the user.
    case nkey(seed: String)
}
