import Foundation
@testable import SwitchboardWeb
import Testing

@Suite struct RenderCacheTests {
    @Test func aValueIsRenderedOncePerSnapshotAndANewerSnapshotStartsOver() {
        let cache = RenderCache<String>()
        let first = Date(timeIntervalSince1970: 100), second = Date(timeIntervalSince1970: 200)
        var renders = 0
        func get(_ key: String, _ at: Date, _ value: String) -> String {
            cache.value(for: key, snapshot: at) { renders += 1; return value }
        }
        #expect(get("a", first, "a1") == "a1")
        #expect(get("a", first, "ignored") == "a1")
        #expect(renders == 1)
        #expect(get("a", second, "a2") == "a2", "a newer snapshot renders again")
        #expect(get("a", first, "old") == "old", "an older snapshot is rendered but not cached")
        #expect(get("a", second, "ignored") == "a2")
        #expect(renders == 3)
    }

    @Test func whileOneRequestRendersANewSnapshotOthersGetThePreviousRendering() {
        let cache = RenderCache<String>()
        let first = Date(timeIntervalSince1970: 100), second = Date(timeIntervalSince1970: 200)
        _ = cache.value(for: "page", snapshot: first) { "old page" }
        var seenDuringRender: String?
        let fresh = cache.value(for: "page", snapshot: second) {
            // Another request arrives while this one renders.
            seenDuringRender = cache.value(for: "page", snapshot: second) { "rendered twice" }
            return "new page"
        }
        #expect(fresh == "new page")
        #expect(seenDuringRender == "old page")
        #expect(cache.value(for: "page", snapshot: second) { "rendered again" } == "new page")
    }

    @Test func itHoldsAtMostItsCapacity() {
        let cache = RenderCache<Int>(capacity: 2)
        let at = Date(timeIntervalSince1970: 1)
        var renders = 0
        for key in ["a", "b", "c", "c"] { _ = cache.value(for: key, snapshot: at) { renders += 1; return renders } }
        #expect(renders == 4, "the third key is not kept")
        #expect(cache.value(for: "a", snapshot: at) { -1 } == 1)
    }
}
