import Foundation

extension NATSAuth {
    /// Reads a `.creds` file as `nsc` and the NATS command line write it: the user JWT between
    /// `-----BEGIN NATS USER JWT-----` and its END line, then the seed between
    /// `-----BEGIN USER NKEY SEED-----` and its END line.
    public static func credentialsFile(_ path: String) throws(NATSError) -> NATSAuth {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .credentials("cannot read the credentials file '\(path)': \(error.localizedDescription)")
        }
        return try credentials(parsing: text, from: path)
    }

    /// The JWT and seed of the text of a `.creds` file; `path` names it in errors.
    static func credentials(parsing text: String, from path: String) throws(NATSError) -> NATSAuth {
        let blocks = decoratedBlocks(text)
        guard let jwt = blocks.first(where: { $0.label.contains("JWT") })?.body ?? blocks.first?.body else {
            throw .credentials("'\(path)' holds no '-----BEGIN NATS USER JWT-----' block")
        }
        guard let seed = blocks.first(where: { $0.label.contains("SEED") })?.body ?? (blocks.count > 1 ? blocks[1].body : nil) else {
            throw .credentials("'\(path)' holds no '-----BEGIN USER NKEY SEED-----' block")
        }
        do {
            _ = try NKeySeed(seed)
        } catch {
            throw .credentials("the seed in '\(path)' is unusable: \(error.reason)")
        }
        return .credentials(jwt: jwt, seed: seed)
    }

    /// The `-----BEGIN …-----` blocks of a decorated file: their label and the one line inside.
    private static func decoratedBlocks(_ text: String) -> [(label: String, body: String)] {
        var blocks: [(label: String, body: String)] = []
        var label: String?
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingWhitespace()
            if line.hasPrefix("---") {
                label = line.contains("BEGIN") ? String(line) : nil
                continue
            }
            if let current = label, !line.isEmpty {
                blocks.append((label: current, body: String(line)))
                label = nil
            }
        }
        return blocks
    }
}

extension NATSError {
    /// The description without the `nats credentials:` a credentials error starts with.
    var reason: String {
        if case .credentials(let what) = self { return what }
        return description
    }
}
