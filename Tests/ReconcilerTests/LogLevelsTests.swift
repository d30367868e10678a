@testable import Reconciler
import Testing

@Suite struct LogLevelsTests {
    /// A logger nobody set has no level of its own (Connect answers 404): it has its nearest
    /// ancestor's, else root's; that is what is put back.
    @Test func aLoggerWithoutALevelInheritsItsNearestAncestors() {
        let levels = ["root": "INFO", "org.apache.kafka": "WARN", "org.apache.kafka.connect.runtime": "DEBUG"]
        #expect(LogLevels.inherited("org.apache.kafka.connect.file", from: levels) == "WARN")
        #expect(LogLevels.inherited("org.apache.kafka.connect.runtime.Worker", from: levels) == "DEBUG")
        #expect(LogLevels.inherited("io.debezium", from: levels) == "INFO")
        #expect(LogLevels.inherited("io.debezium", from: [:]) == nil)
    }
}
