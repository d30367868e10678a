@testable import ConnectClient
import Testing

/// What each Connect release can do, in the one place that knows it.
@Suite struct ConnectReleaseTests {
    @Test(arguments: [("3.9.0", 3, 9, 0), ("4.3.0", 4, 3, 0), ("4.1.1-ccs", 4, 1, 1), ("7.7.0-ce", 7, 7, 0), ("3.6", 3, 6, 0)])
    func readsWhatWorkersReport(text: String, major: Int, minor: Int, patch: Int) throws {
        let release = try #require(ConnectRelease(text))
        #expect((release.major, release.minor, release.patch) == (major, minor, patch))
        #expect(release.description == text)
    }

    @Test(arguments: ["", "unknown", "v4", "4"])
    func textThatIsNoReleaseIsNil(text: String) {
        #expect(ConnectRelease(text) == nil)
    }

    @Test func featuresFollowTheReleases() throws {
        let r39 = try #require(ConnectRelease("3.9.0")), r41 = try #require(ConnectRelease("4.1.0")), r35 = try #require(ConnectRelease("3.5.1")), r40 = try #require(ConnectRelease("4.0.0"))
        #expect(r39.supports(.health) && r39.supports(.initialState) && !r39.supports(.pluginVersions))
        #expect(r41.supports(.pluginVersions))
        #expect(!r35.supports(.offsets) && !r35.supports(.health))
        #expect(r39.hasTasksConfigEndpoint && !r40.hasTasksConfigEndpoint)
        #expect(r39 < r41 && ConnectRelease("4.1.1-ccs")! > r41)
    }

    @Test func anUnsupportedFeatureSaysWhatItNeedsAndWhatRuns() throws {
        let release = try #require(ConnectRelease("3.9.0"))
        #expect(throws: ConnectRelease.Unsupported.self) { try release.require(.pluginVersions, cluster: "ingest") }
        do {
            try release.require(.pluginVersions, cluster: "ingest")
        } catch {
            #expect(error.description == "plugin versions needs Connect 4.1 (cluster ingest runs 3.9.0)")
        }
        #expect(throws: Never.self) { try ConnectRelease("4.3.0")!.require(.pluginVersions, cluster: "analytics") }
    }

    /// Connect 4.x answers an unknown log level with 404, 3.x with 400: both are read as one thing.
    @Test func anUnknownLogLevelIsRecognisedOnEitherRelease() {
        let v4 = ConnectError(kind: .http(status: 404, errorCode: 404, message: "invalid log level 'LOUD'."), request: "PUT /admin/loggers/x", endpoint: "e")
        let v3 = ConnectError(kind: .http(status: 400, errorCode: 400, message: "Invalid log level 'LOUD'"), request: "PUT /admin/loggers/x", endpoint: "e")
        let other = ConnectError(kind: .http(status: 404, errorCode: 404, message: "HTTP 404 Not Found"), request: "GET /x", endpoint: "e")
        #expect(ConnectRelease.isUnknownLogLevel(v4) && ConnectRelease.isUnknownLogLevel(v3))
        #expect(!ConnectRelease.isUnknownLogLevel(other))
    }
}
