// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Temblor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "temblor", targets: ["temblor"]),
        .library(name: "TemblorValue", targets: ["TemblorValue"]),
        .library(name: "TemblorCodecs", targets: ["TemblorCodecs"]),
        .library(name: "TemblorRuntime", targets: ["TemblorRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev, plus inline shims for the C macros Swift cannot import.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // A small C API over simdjson: Swift's C++ interop cannot call its parse functions.
        .target(
            name: "CSimdjson",
            cxxSettings: [
                // pkg-config's -DSIMDJSON_THREADS_ENABLED=1 is dropped by SwiftPM; without it the
                // parser's layout differs from the installed library's.
                .define("SIMDJSON_THREADS_ENABLED", to: "1"),
                .define("NDEBUG", .when(configuration: .release)),
            ],
            linkerSettings: [.linkedLibrary("simdjson")]
        ),
        // JSON text straight into Lua tables (simdjson's tape walked in C, under lua_pcall).
        .target(
            name: "CLuaJSON",
            dependencies: ["CLua", "CSimdjson"],
            cSettings: [.headerSearchPath("../CLua")]
        ),
        // CRC-32C for the wal's records: the SSE4.2 instruction where the CPU has it, tables elsewhere.
        .target(name: "CCRC32C"),
        // The write-ahead log's storage: segments, records, recovery. No Temblor types in it.
        .target(name: "TemblorWAL", dependencies: ["CCRC32C"]),
        .target(name: "TemblorValue"),
        // A static lint of Lua plugin files (a Lua 5.4 parser in Swift): nothing is run.
        .target(name: "TemblorLuaLint"),
        // The NATS protocol client and the JetStream API it needs. No Temblor types in it.
        .target(
            name: "TemblorNATS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "TemblorCodecs",
            dependencies: [
                "TemblorValue",
                "CSimdjson",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ]
        ),
        .target(
            name: "TemblorLua",
            dependencies: [
                "CLua",
                "CLuaJSON",
                "TemblorValue",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "TemblorRuntime",
            dependencies: [
                "TemblorValue",
                "TemblorCodecs",
                "TemblorLua",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // `temblor test`: plugins run in their real sandbox with a fake clock and stubbed host I/O.
        .target(
            name: "TemblorPluginTest",
            dependencies: [
                "TemblorValue", "TemblorCodecs", "TemblorLua", "TemblorRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TemblorConnectors",
            dependencies: [
                "TemblorValue",
                "TemblorCodecs",
                "TemblorRuntime",
                "TemblorWAL",
                "TemblorNATS",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The daemon: the registry of the flows one process runs, over the runtime.
        .target(
            name: "TemblorDaemon",
            dependencies: [
                "TemblorValue", "TemblorLua", "TemblorRuntime", "TemblorConnectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(
            name: "temblor",
            dependencies: [
                "TemblorValue",
                "TemblorCodecs",
                "TemblorLua",
                "TemblorRuntime",
                "TemblorConnectors",
                "TemblorDaemon",
                "TemblorPluginTest",
                "TemblorLuaLint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "TemblorBenchmarks",
            dependencies: [
                "TemblorValue", "TemblorCodecs", "TemblorLua", "TemblorRuntime", "TemblorConnectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/TemblorBenchmarks"
        ),
        .testTarget(name: "TemblorValueTests", dependencies: ["TemblorValue"]),
        .testTarget(name: "TemblorWALTests", dependencies: ["TemblorWAL", "CCRC32C"]),
        // Generators shared by the property tests of several modules.
        .target(name: "TemblorTestSupport", dependencies: ["TemblorValue"], path: "Tests/TemblorTestSupport"),
        .testTarget(
            name: "TemblorNATSTests",
            dependencies: [
                "TemblorNATS", "TemblorTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "TemblorCodecsTests", dependencies: ["TemblorValue", "TemblorCodecs", "TemblorTestSupport"]),
        .testTarget(
            name: "TemblorRuntimeTests",
            dependencies: ["TemblorValue", "TemblorCodecs", "TemblorRuntime", .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        .testTarget(
            name: "TemblorConnectorsTests",
            dependencies: [
                "TemblorValue", "TemblorCodecs", "TemblorRuntime", "TemblorConnectors", "TemblorTestSupport", "TemblorNATS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]),
        .testTarget(name: "TemblorLuaLintTests", dependencies: ["TemblorLuaLint"]),
        .testTarget(name: "TemblorLuaTests", dependencies: ["TemblorLua", "TemblorValue", "TemblorCodecs", "TemblorTestSupport"]),
        .testTarget(
            name: "TemblorCLITests",
            dependencies: ["temblor", "TemblorNATS", "TemblorTestSupport", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "TemblorDaemonTests",
            dependencies: [
                "TemblorDaemon", "TemblorRuntime", "TemblorValue",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]),
    ],
    cxxLanguageStandard: .cxx17
)
