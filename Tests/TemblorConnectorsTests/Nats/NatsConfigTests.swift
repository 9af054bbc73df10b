import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// The `nats` connector's configuration check: every mistake names its key and what to change.
@Suite struct NatsConfigTests {
    private func problem(_ config: Value) -> ConnectorConfigError? {
        do {
            try NatsConnector().info.validate(config)
            return nil
        } catch {
            return error
        }
    }

    @Test func aPlainCoreAndAJetStreamConfigPass() {
        #expect(problem(["servers": ["nats://127.0.0.1:4222"], "subject": "orders.>"]) == nil)
        #expect(problem(["servers": "127.0.0.1:4222", "subject": "orders.new", "queue_group": "workers"]) == nil)
        #expect(problem(["servers": ["nats://a:4222", "tls://b:4443"], "jetstream": ["stream": "ORDERS", "durable": "workers", "batch": 64, "max_deliver": 5]]) == nil)
        #expect(problem(["servers": ["nats://127.0.0.1:4222"], "user": "app", "password": "secret"]) == nil)
        #expect(problem(["servers": ["nats://127.0.0.1:4222"], "token": "s3cr3t"]) == nil)
    }

    @Test func serversAreRequiredAndMustBeURLs() {
        #expect(problem(["subject": "a"])?.description == "config 'servers': missing; this connector needs 'servers', a list like [nats://127.0.0.1:4222]")
        #expect(problem(["servers": []])?.key == "servers")
        #expect(problem(["servers": 4222])?.description.contains("expected a list of urls") == true)
        let scheme = problem(["servers": ["http://127.0.0.1:4222"]])
        #expect(scheme?.key == "servers[0]")
        #expect(scheme?.message.contains("use nats:// or tls://") == true)
        #expect(problem(["servers": ["nats://127.0.0.1:4222", "nats://host/path"]])?.key == "servers[1]")
        #expect(problem(["servers": [""]])?.message.contains("empty") == true)
    }

    @Test func unknownKeysAreNamed() {
        let unknown = problem(["servers": ["nats://127.0.0.1:4222"], "subjet": "a"])
        #expect(unknown?.key == "subjet")
        #expect(unknown?.message.hasPrefix("unknown key; known keys: creds, jetstream, password, queue_group, servers, subject, tls, token, user") == true)
        let nested = problem(["servers": ["nats://127.0.0.1:4222"], "jetstream": ["stream": "S", "ackwait": 10]])
        #expect(nested?.key == "jetstream.ackwait")
    }

    @Test func credentialsGoOneWayAtATime() {
        let servers: Value = ["nats://127.0.0.1:4222"]
        #expect(problem(["servers": servers, "token": "t", "user": "u", "password": "p"])?.description
            == "config 'token': use either a token or a user and password, not both")
        #expect(problem(["servers": servers, "user": "u"])?.key == "password")
        #expect(problem(["servers": servers, "password": "p"])?.key == "user")
        #expect(problem(["servers": servers, "creds": "/x.creds", "token": "t"])?.key == "creds")
        #expect(problem(["servers": servers, "token": ""])?.key == "token")
        let missing = problem(["servers": servers, "creds": "/nonexistent/user.creds"])
        #expect(missing?.key == "creds")
        #expect(missing?.message.contains("cannot read the credentials file") == true)
    }

    @Test func subjectsQueueGroupsAndJetStreamAreChecked() {
        let servers: Value = ["nats://127.0.0.1:4222"]
        #expect(problem(["servers": servers, "subject": "a..b"])?.key == "subject")
        #expect(problem(["servers": servers, "subject": "a b"])?.key == "subject")
        #expect(problem(["servers": servers, "queue_group": "w"])?.message == "a queue group subscribes to a subject: set 'subject' too")
        let both = problem(["servers": servers, "subject": "a", "queue_group": "w", "jetstream": ["stream": "S"]])
        #expect(both?.key == "queue_group")
        #expect(both?.message.contains("remove queue_group") == true)
        #expect(problem(["servers": servers, "jetstream": true])?.key == "jetstream")
        #expect(problem(["servers": servers, "jetstream": ["durable": "w"]])?.description
            == "config 'jetstream.stream': missing; this connector needs 'stream'")
        #expect(problem(["servers": servers, "jetstream": ["stream": "A.B"]])?.key == "jetstream.stream")
        #expect(problem(["servers": servers, "jetstream": ["stream": "S", "durable": "w*"]])?.key == "jetstream.durable")
        #expect(problem(["servers": servers, "jetstream": ["stream": "S", "batch": 0]])?.description
            == "config 'jetstream.batch': expected an integer in 1...10000, got 0")
        #expect(problem(["servers": servers, "jetstream": ["stream": "S", "max_deliver": 0]])?.key == "jetstream.max_deliver")
        #expect(problem(["servers": servers, "jetstream": ["stream": "S", "ack_wait_ms": 5]])?.key == "jetstream.ack_wait_ms")
    }

    @Test func tlsIsReadLikeTheWebConnectors() {
        let servers: Value = ["tls://127.0.0.1:4443"]
        #expect(problem(["servers": servers, "tls": true]) == nil)
        #expect(problem(["servers": servers, "tls": ["verify": "no"]])?.key == "tls.verify")
        #expect(problem(["servers": servers, "tls": ["cert": "/a.pem"]])?.key == "tls.key")
        #expect(problem(["servers": servers, "tls": ["ca": "/nonexistent/ca.pem"]])?.key == "tls.ca")
    }

    @Test func theDurableDefaultsToTheConnectorNameUnlessItCannotBeOne() throws {
        let definition = ConnectorDefinition(
            name: "bad.name", type: "nats", config: ["servers": ["nats://127.0.0.1:4222"], "jetstream": ["stream": "S"]],
            location: FlowFixtures.here)
        #expect(throws: ConnectorConfigError.self) { try NatsConnector().make(definition, directory: ".") }
        var good = definition
        good.name = "workers"
        _ = try NatsConnector().make(good, directory: ".")
    }
}
