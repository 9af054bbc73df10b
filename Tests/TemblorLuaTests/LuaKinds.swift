/// How tests see the Value bridge's mapping from inside Lua.
enum LuaKinds {
    /// Defines `kinds(v)`: each field of `v` described as its type, number subtype and
    /// metatable name (`number:float`, `table:temblor.array`, `userdata:temblor.uint`).
    static let function = """
        function kinds(v)
          local t = {}
          for k, x in pairs(v) do
            local mt = getmetatable(x)
            t[k] = type(x) .. (math.type(x) and (":" .. math.type(x)) or "") .. (mt and (":" .. mt) or "")
          end
          return t
        end
        """
}
