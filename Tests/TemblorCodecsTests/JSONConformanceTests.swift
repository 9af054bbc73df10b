import Foundation
import Testing
import TemblorCodecs
import TemblorValue

/// Nicolas Seriot's JSONTestSuite: `y_` must parse, `n_` must fail with a byte offset, `i_` must not crash.
@Suite struct JSONConformanceTests {
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.jsonTestSuite.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func load(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: TestPaths.jsonTestSuite.appendingPathComponent(name)))
    }

    @Test func suiteIsPresent() {
        #expect(Self.files.count > 300, "JSONTestSuite not found at \(TestPaths.jsonTestSuite.path)")
    }

    @Test(arguments: files.filter { $0.hasPrefix("y_") })
    func accepts(_ name: String) throws {
        var codec = JSONCodec()
        let bytes = try Self.load(name)
        let value = try codec.decode(bytes)
        // What we accept we can write back, and it reads the same.
        let again = try codec.decode(try codec.encode(value))
        #expect(again == value, "\(name) does not round-trip")
    }

    @Test(arguments: files.filter { $0.hasPrefix("n_") })
    func rejectsWithOffset(_ name: String) throws {
        var codec = JSONCodec()
        let bytes = try Self.load(name)
        do {
            let value = try codec.decode(bytes)
            Issue.record("\(name) was accepted as \(value)")
        } catch {
            switch error {
            case .syntax(let codec, _, let offset):
                #expect(codec == "json")
                let at = try #require(offset, "\(name): \(error) names no byte offset")
                #expect(at >= 0 && at <= bytes.count, "\(name): offset \(at) outside the \(bytes.count)-byte input")
            case .invalidUTF8(_, let offset):
                #expect(offset >= 0 && offset < bytes.count)
            default:
                Issue.record("\(name): unexpected error \(error)")
            }
        }
    }

    @Test(arguments: files.filter { $0.hasPrefix("i_") })
    func implementationDefinedDoesNotCrash(_ name: String) throws {
        var codec = JSONCodec()
        let bytes = try Self.load(name)
        do {
            let value = try codec.decode(bytes)
            _ = try? codec.encode(value)
        } catch {
            #expect(!error.description.isEmpty)
        }
    }
}
