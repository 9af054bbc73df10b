import CoreMetrics
import Testing
import TemblorRuntime

/// The in-process backend behind `temblor run --stats`.
@Suite struct StatsRegistryTests {
    @Test func countersWithTheSameLabelAndDimensionsShareOneValue() {
        let registry = StatsRegistry()
        let first = Counter(label: "hits", dimensions: [("node", "a")], factory: registry)
        let second = Counter(label: "hits", dimensions: [("node", "a")], factory: registry)
        let other = Counter(label: "hits", dimensions: [("node", "b")], factory: registry)
        first.increment(by: 3)
        second.increment(by: 4)
        other.increment()
        #expect(registry.value(of: "hits", [("node", "a")]) == 7)
        #expect(registry.value(of: "hits", [("node", "b")]) == 1)
        #expect(registry.value(of: "hits") == nil)
        #expect(registry.value(of: "misses", [("node", "a")]) == nil)
    }

    @Test func linesAreSortedAndKeepTheDimensionsOrder() throws {
        let registry = StatsRegistry()
        Counter(label: "z_total", factory: registry).increment(by: 2)
        Counter(label: "a_total", dimensions: [("node", "in"), ("port", "out")], factory: registry).increment(by: 5)
        _ = Counter(label: "a_total", dimensions: [("node", "in"), ("port", "err")], factory: registry)
        #expect(
            registry.lines == [
                #"a_total{node="in",port="err"} 0"#,
                #"a_total{node="in",port="out"} 5"#,
                "z_total 2",
            ])
        let first = try #require(registry.samples.first)
        #expect(first.dimensions.map(\.name) == ["node", "port"])
        #expect(first.dimensions.map(\.value) == ["in", "err"])
        #expect(first.value == 0)
    }

    @Test func resetSetsACounterBackToZero() {
        let registry = StatsRegistry()
        let counter = Counter(label: "hits", factory: registry)
        counter.increment(by: 9)
        counter.reset()
        #expect(registry.value(of: "hits") == 0)
    }

    @Test func recordersAndTimersAreAcceptedAndNotListed() {
        let registry = StatsRegistry()
        Recorder(label: "size", factory: registry).record(12)
        Timer(label: "latency", factory: registry).recordNanoseconds(100)
        Meter(label: "level", factory: registry).set(3)
        #expect(registry.lines.isEmpty)
    }

    @Test func concurrentIncrementsAddUpExactly() async {
        let registry = StatsRegistry()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let counter = Counter(label: "hits", dimensions: [("task", "\(task % 2)")], factory: registry)
                    for _ in 0..<1000 { counter.increment(by: 2) }
                }
            }
        }
        #expect(registry.value(of: "hits", [("task", "0")]) == 8000)
        #expect(registry.value(of: "hits", [("task", "1")]) == 8000)
    }
}
