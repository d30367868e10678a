import Foundation
import SwitchboardAPI

/// Charts drawn on the server as inline SVG (no script; the Content-Security-Policy stays as it
/// is). Colours are presentation attributes, so each SVG stands on its own. Every text inside
/// goes through ``HTML`` escaping, which is also valid XML escaping.
enum Charts {
    static let width = 720
    static let height = 150
    static let margin = (left: 64, right: 12, top: 22, bottom: 22)

    /// Where a chart of the last `hours` starts when its readings come from memory: where they
    /// begin (a server started a few minutes ago has a few minutes to draw), showing at least five
    /// minutes.
    static func start(hours: Double, earliest: Date, now: Date) -> Date {
        max(now.addingTimeInterval(-hours * 3600), min(earliest, now.addingTimeInterval(-300)))
    }

    /// A line over time; points further apart than `gap` seconds are not joined (no readings
    /// between them).
    static func line(_ points: [(at: Date, value: Double)], from: Date, to: Date, title: String, unit: String, gap: TimeInterval) -> HTML {
        let plotWidth = Double(width - margin.left - margin.right), plotHeight = Double(height - margin.top - margin.bottom)
        let span = max(1, to.timeIntervalSince(from))
        let top = niceCeiling(points.map(\.value).max() ?? 0)
        let x = { (date: Date) -> Double in Double(margin.left) + plotWidth * min(1, max(0, date.timeIntervalSince(from) / span)) }
        let y = { (value: Double) -> Double in Double(margin.top) + plotHeight * (1 - min(1, max(0, value / top))) }
        var segments: [[(x: Double, y: Double)]] = []
        var previous: Date?
        for point in points where point.at >= from && point.at <= to {
            if previous.map({ point.at.timeIntervalSince($0) > gap }) ?? true { segments.append([]) }
            segments[segments.count - 1].append((x(point.at), y(point.value)))
            previous = point.at
        }
        let lines = segments.map { segment -> HTML in
            segment.count == 1
                ? "<circle cx=\"\(format(segment[0].x))\" cy=\"\(format(segment[0].y))\" r=\"2.5\" fill=\"#1c7ed6\"/>"
                : "<polyline fill=\"none\" stroke=\"#1c7ed6\" stroke-width=\"2\" points=\"\(segment.map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " "))\"/>"
        }
        let latest: HTML = points.last.map { " · now \(compact($0.value)) \(unit)" } ?? ""
        let empty: HTML = points.isEmpty ? "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#6b7383\" font-size=\"12\">No readings in this window yet</text>" : ""
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(title)">\
            <title>\(title)</title>\
            <text x="\(margin.left)" y="14" font-size="12" font-weight="600" fill="#1d2433">\(title)\(latest)</text>\
            \(axes(from: from, to: to, top: top, unit: unit))\(lines)\(empty)</svg>
            """
    }

    /// The state over time as coloured bands, one per state held.
    static func states(_ changes: [FlowSeries.StateChange], from: Date, to: Date) -> HTML {
        let bandHeight = 26, total = 52
        let plotWidth = Double(width - margin.left - margin.right)
        let span = max(1, to.timeIntervalSince(from))
        let x = { (date: Date) -> Double in Double(margin.left) + plotWidth * min(1, max(0, date.timeIntervalSince(from) / span)) }
        var bands: [HTML] = []
        for (index, change) in changes.enumerated() {
            let end = index + 1 < changes.count ? changes[index + 1].at : to
            guard end > from, change.at < to else { continue }
            let start = x(max(change.at, from)), stop = x(min(end, to))
            let colour = colours(change.health)
            bands.append("<rect x=\"\(format(start))\" y=\"18\" width=\"\(format(max(1, stop - start)))\" height=\"\(bandHeight)\" fill=\"\(colour.fill)\" stroke=\"\(colour.stroke)\" stroke-width=\"0.5\"><title>\(change.health) from \(clock(change.at))</title></rect>")
            if stop - start > 60 {
                bands.append("<text x=\"\(format(start + 4))\" y=\"35\" font-size=\"11\" fill=\"\(colour.stroke)\">\(change.health)</text>")
            }
        }
        let empty: HTML = bands.isEmpty ? "<text x=\"\(margin.left)\" y=\"35\" font-size=\"12\" fill=\"#6b7383\">No state recorded in this window</text>" : ""
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(width)" height="\(total)" viewBox="0 0 \(width) \(total)" role="img" aria-label="State over time">\
            <title>State over time</title><text x="0" y="35" font-size="12" font-weight="600" fill="#1d2433">State</text>\(bands)\(empty)\
            <text x="\(margin.left)" y="\(total - 1)" font-size="10" fill="#6b7383">\(clock(from))</text>\
            <text x="\(width - margin.right)" y="\(total - 1)" font-size="10" fill="#6b7383" text-anchor="end">\(clock(to))</text></svg>
            """
    }

    /// A small line without axes, for tables.
    static func sparkline(_ points: [(at: Date, value: Double)], from: Date, to: Date) -> HTML {
        let w = 120.0, h = 22.0
        guard points.count >= 2 else { return "<span class=\"muted\">-</span>" }
        let top = max(points.map(\.value).max() ?? 0, 1e-9)
        let span = max(1, to.timeIntervalSince(from))
        let coordinates = points.map { "\(format(w * min(1, max(0, $0.at.timeIntervalSince(from) / span)))),\(format(h - 1 - (h - 2) * $0.value / top))" }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"22\" viewBox=\"0 0 120 22\" role=\"img\" aria-label=\"trend\"><polyline fill=\"none\" stroke=\"#1c7ed6\" stroke-width=\"1.5\" points=\"\(coordinates.joined(separator: " "))\"/></svg>"
    }

    static func axes(from: Date, to: Date, top: Double, unit: String) -> HTML {
        let bottom = height - margin.bottom, right = width - margin.right
        return """
            <line x1="\(margin.left)" y1="\(bottom)" x2="\(right)" y2="\(bottom)" stroke="#adb5bd"/>\
            <line x1="\(margin.left)" y1="\(margin.top)" x2="\(margin.left)" y2="\(bottom)" stroke="#adb5bd"/>\
            <line x1="\(margin.left)" y1="\(margin.top)" x2="\(right)" y2="\(margin.top)" stroke="#e9ecef"/>\
            <text x="\(margin.left - 4)" y="\(margin.top + 4)" font-size="10" fill="#6b7383" text-anchor="end">\(compact(top))</text>\
            <text x="\(margin.left - 4)" y="\(bottom)" font-size="10" fill="#6b7383" text-anchor="end">0</text>\
            <text x="\(margin.left - 4)" y="\(bottom - 12)" font-size="9" fill="#6b7383" text-anchor="end">\(unit)</text>\
            <text x="\(margin.left)" y="\(height - 6)" font-size="10" fill="#6b7383">\(clock(from))</text>\
            <text x="\(right)" y="\(height - 6)" font-size="10" fill="#6b7383" text-anchor="end">\(clock(to)) UTC</text>
            """
    }

    /// The fill and stroke of a state or health.
    static func colours(_ health: String) -> (fill: String, stroke: String) {
        switch health {
        case "RUNNING": ("#d6f5dd", "#2b8a3e")
        case "FAILED": ("#fcd9d9", "#c92a2a")
        case "DEGRADED": ("#ffe6bf", "#d9480f")
        case "PAUSED", "STOPPED": ("#e4e7fb", "#3b5bdb")
        default: ("#e9ecef", "#495057")
        }
    }

    /// A round number at or above `value` (1, 2, 5 times a power of ten), at least 1.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 1 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func compact(_ value: Double) -> String {
        switch abs(value) {
        case 1e9...: String(format: "%.1fG", value / 1e9)
        case 1e6...: String(format: "%.1fM", value / 1e6)
        case 1e4...: String(format: "%.0fk", value / 1e3)
        case 1e3...: String(format: "%.1fk", value / 1e3)
        case 100...: String(format: "%.0f", value)
        case 0: "0"
        default: String(format: "%.2g", value)
        }
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) % 86400
        return String(format: "%02d:%02d", seconds / 3600, (seconds % 3600) / 60)
    }
}
