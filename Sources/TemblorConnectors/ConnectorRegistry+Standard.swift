import TemblorRuntime

extension ConnectorRegistry {
    /// Every stock native connector, and `lua` for plugins.
    public static let standard = ConnectorRegistry([
        FileConnector(), StdioConnector(), NullConnector(), BlackholeConnector(), BenchConnector(), MetronomeConnector(),
        WebSocketServerConnector(), WebSocketClientConnector(),
        TcpServerConnector(), TcpClientConnector(), UdpServerConnector(), UdpClientConnector(), LuaConnectorFactory(hostIO: LuaIOProvider()),
    ])
}
