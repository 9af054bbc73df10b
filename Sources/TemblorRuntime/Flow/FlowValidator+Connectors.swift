import TemblorCodecs
import TemblorLua
import TemblorValue

extension FlowValidator {
    /// The connector type Lua plugins run as: both sides, configured by the plugin itself.
    static let luaConnectorType = LuaConnectorFactory().info

    /// A connector type by name; `lua` is always known, whether or not the catalog lists it.
    func connectorType(named name: String) -> ConnectorTypeInfo? {
        catalog.connectorTypes[name] ?? (name == "lua" ? Self.luaConnectorType : nil)
    }

    /// Every connector type name a flow may use, sorted.
    var connectorTypeNames: [String] {
        Set(catalog.connectorTypes.keys).union(["lua"]).sorted()
    }

    /// Checks one connector's type, plugin, configuration, codec and processors; returns its
    /// type when known, so that its ports can be checked.
    func validate(_ connector: ConnectorDefinition, into errors: inout [FlowError]) -> ConnectorTypeInfo? {
        let name = connector.name
        let typeLocation = connector.keyLocations["type"] ?? connector.location
        guard !connector.type.isEmpty else {
            errors.append(FlowError("connector '\(name)' has no 'type'; add one such as 'type: file' or 'type: lua'", at: connector.location))
            return nil
        }
        guard let type = connectorType(named: connector.type) else {
            errors.append(FlowError(
                NameSuggestion.message(
                    "unknown connector type '\(connector.type)' in connector '\(name)'", name: connector.type,
                    known: connectorTypeNames, knownLabel: "known types"
                ),
                at: typeLocation
            ))
            return nil
        }
        if type.name == "lua" {
            if connector.plugin == nil {
                errors.append(FlowError(
                    "lua connector '\(name)' has no 'plugin'; add 'plugin: <file.lua or directory with init.lua>'",
                    at: connector.location
                ))
            } else if let problem = checkPlugin(of: connector) {
                errors.append(problem)
            }
        } else {
            if connector.plugin != nil {
                errors.append(FlowError(
                    "'plugin' only applies to lua connectors; remove it from connector '\(name)' or set 'type: lua'",
                    at: connector.keyLocations["plugin"] ?? connector.location
                ))
            }
            do {
                try type.validate(connector.config)
            } catch {
                errors.append(FlowError("connector '\(name)': \(error)", at: configLocation(of: error.key, in: connector)))
            }
        }
        if !connector.buffer.isNull {
            validateBuffer(of: connector, type: type, into: &errors)
        }
        if !connector.reconnect.isNull {
            do {
                _ = try ReconnectStrategy(connector.reconnect)
            } catch {
                errors.append(FlowError(
                    "connector '\(name)': \(error)", at: connector.keyLocations["reconnect"] ?? connector.location))
            }
        }
        if let codec = connector.codec {
            check(codec, of: connector, kind: "codec", into: &errors) { reference throws(CodecError) in
                _ = try catalog.codecs.makeCodec(reference.name, config: reference.config)
            }
        }
        for reference in connector.preprocessors ?? [] {
            check(reference, of: connector, kind: "preprocessor", into: &errors) { reference throws(CodecError) in
                _ = try catalog.codecs.makePreprocessor(reference.name, config: reference.config)
            }
        }
        for reference in connector.postprocessors ?? [] {
            check(reference, of: connector, kind: "postprocessor", into: &errors) { reference throws(CodecError) in
                _ = try catalog.codecs.makePostprocessor(reference.name, config: reference.config)
            }
        }
        return type
    }

    /// Loads a lua connector's plugin the way a run would (limits, API version, hooks, config),
    /// so that `temblor check` reports what would stop it from starting.
    private func checkPlugin(of connector: ConnectorDefinition) -> FlowError? {
        let location = connector.keyLocations["plugin"] ?? connector.location
        let limits: LuaLimits
        do throws(LuaConfigError) {
            limits = try LuaLimits(LuaFaultPolicy.resourceLimits(connector.limits))
            _ = try LuaFaultPolicy(connector.limits)
        } catch {
            return FlowError("connector '\(connector.name)': \(error)", at: connector.keyLocations["limits"] ?? location)
        }
        let file = location.file
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        do throws(LuaConfigError) {
            _ = try LuaCapabilities(connector.allow, directory: LuaLibrary.absolute(directory))
        } catch {
            return FlowError("connector '\(connector.name)': \(error)", at: connector.keyLocations["allow"] ?? location)
        }
        do {
            _ = try LuaPlugin(
                path: LuaLibrary.resolve(connector.plugin ?? "", in: directory), instance: connector.name,
                config: connector.config, limits: limits, libraryRoots: LuaLibrary.roots)
        } catch {
            return FlowError("connector '\(connector.name)': plugin: \(error)", at: location)
        }
        return nil
    }

    /// Where a configuration key stands: the key itself, else the `config:` key, else the connector.
    func configLocation(of key: String, in connector: ConnectorDefinition) -> SourceLocation {
        if !key.isEmpty, let location = connector.keyLocations["config.\(key)"] {
            return location
        }
        return connector.keyLocations["config"] ?? connector.location
    }

    /// Builds a codec or processor the way a running connector would, reporting why it fails.
    private func check(
        _ reference: ProcessorReference, of connector: ConnectorDefinition, kind: String,
        into errors: inout [FlowError], make: (ProcessorReference) throws(CodecError) -> Void
    ) {
        do {
            try make(reference)
        } catch {
            let message: String
            if case .unknown(_, let name, let known) = error {
                message = NameSuggestion.message(
                    "unknown \(kind) '\(name)' in connector '\(connector.name)'", name: name,
                    known: known, knownLabel: "known \(kind)s"
                )
            } else {
                message = "connector '\(connector.name)': \(error)"
            }
            errors.append(FlowError(message, at: reference.location))
        }
    }
}

extension FlowValidator {
    /// `buffer:` puts a wal in front of a sink: the connector needs a sink side, and the buffer
    /// a path (checked as the wal connector would check it, when the catalog has one).
    func validateBuffer(of connector: ConnectorDefinition, type: ConnectorTypeInfo, into errors: inout [FlowError]) {
        let location = connector.keyLocations["buffer"] ?? connector.location
        guard type.hasSink else {
            errors.append(FlowError(
                "connector '\(connector.name)': 'buffer' puts a disk buffer in front of a sink, and a \(type.name) connector has no sink side; remove it",
                at: location))
            return
        }
        do {
            let buffer = try DiskBuffer(connector.buffer)
            try connectorType(named: DiskBuffer.connectorType)?.validate(buffer.walConfig)
        } catch {
            let key = error.key.hasPrefix("buffer") ? error.key : "buffer.\(error.key)"
            errors.append(FlowError(
                "connector '\(connector.name)': \(error.key.hasPrefix("buffer") ? error.description : "config '\(key)': \(error.message)")",
                at: connector.keyLocations[key] ?? location))
        }
    }
}
