import TemblorRuntime

extension ConnectorRegistry {
    /// Every stock native connector, and `lua` for plugins.
    public static let standard = ConnectorRegistry([
        FileConnector(), StdioConnector(), NullConnector(), BlackholeConnector(), BenchConnector(), MetronomeConnector(),
        TcpServerConnector(), TcpClientConnector(), UdpServerConnector(), UdpClientConnector(),
        HttpServerConnector(), HttpClientConnector(), WebSocketServerConnector(), WebSocketClientConnector(), WalConnector(),
        NatsConnector(),
        LuaConnectorFactory(hostIO: LuaIOProvider()),
    ])
}
