import SwitchboardCore
import Testing

/// Why it failed, in one line: the innermost cause of a Java trace.
@Suite struct FailureCauseTests {
    @Test func theInnermostCauseIsTheLine() {
        let trace = """
            org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send callback
            \tat org.apache.kafka.connect.runtime.WorkerSourceTask.maybeThrowProducerSendException(WorkerSourceTask.java:339)
            Caused by: org.apache.kafka.connect.errors.ConnectException: Could not write
            \tat org.example.Writer.write(Writer.java:10)
            Caused by: java.nio.file.FileSystemException: data/receipts-archive.txt: Is a directory
            \tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:100)
            \t... 12 more
            """
        #expect(FailureCause.innermost(trace) == "java.nio.file.FileSystemException: data/receipts-archive.txt: Is a directory")
    }

    @Test func withoutACauseTheFirstLineAndNothingForNothing() {
        #expect(FailureCause.innermost("org.example.Boom: it broke\n\tat x.y(Z.java:1)") == "org.example.Boom: it broke")
        #expect(FailureCause.innermost("\n\n  \t") == nil)
        #expect(FailureCause.innermost(nil) == nil)
        let long = FailureCause.innermost("Caused by: x.Y: " + String(repeating: "a ", count: 400)) ?? ""
        #expect(long.count == FailureCause.maxLength && long.hasSuffix("…"))
    }
}
