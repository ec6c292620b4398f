import Foundation

/// Grouped vertical bars as inline SVG: one group per category (or bin), one bar per series, heights as
/// shares so samples of different sizes compare (reference against current).
struct BarChart {
    struct Series {
        var name: String
        var color: String
        /// One share in [0, 1] per category.
        var shares: [Double]
    }

    var title: String
    var categories: [String]
    var series: [Series]
    var width = 360.0
    var height = 170.0

    func render() -> String {
        let (left, right, top, bottom) = (40.0, 8.0, 22.0, 34.0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maxShare = max(series.flatMap(\.shares).max() ?? 0, 0.01)
        let yMax = min(1, maxShare * 1.1)
        var out = """
            <svg class="chart small" viewBox="0 0 \(SVG.n(width)) \(SVG.n(height))" role="img" aria-label="\(SVG.escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            """
        var lx = left
        for s in series {
            out += """
                <rect x="\(SVG.n(lx))" y="5" width="10" height="10" fill="\(s.color)"/>\
                <text class="legend" x="\(SVG.n(lx + 14))" y="14">\(SVG.escape(s.name))</text>
                """
            lx += 24 + Double(s.name.count) * 6.4
        }
        for t in Axis.numeric(0...yMax, count: 4, format: { DashboardFormat.percent($0, digits: 0) }).ticks
        where t.value <= yMax {
            let y = top + plotHeight - t.value / yMax * plotHeight
            out += """
                <line class="grid" x1="\(SVG.n(left))" y1="\(SVG.n(y))" x2="\(SVG.n(left + plotWidth))" y2="\(SVG.n(y))"/>\
                <text class="tick" x="\(SVG.n(left - 4))" y="\(SVG.n(y + 4))" text-anchor="end">\(t.label)</text>
                """
        }
        let groups = Double(max(categories.count, 1))
        let groupWidth = plotWidth / groups
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        let labelEvery = max(1, Int((Double(categories.count) * 44 / plotWidth).rounded(.up)))
        for (c, category) in categories.enumerated() {
            let x0 = left + Double(c) * groupWidth + groupWidth * 0.1
            for (i, s) in series.enumerated() where c < s.shares.count {
                let h = s.shares[c] / yMax * plotHeight
                out += """
                    <rect x="\(SVG.n(x0 + Double(i) * barWidth))" y="\(SVG.n(top + plotHeight - h))" width="\(SVG.n(max(barWidth - 1, 0.5)))" \
                    height="\(SVG.n(h))" fill="\(s.color)"><title>\(SVG.escape(category)) · \(SVG.escape(s.name)): \
                    \(DashboardFormat.percent(s.shares[c]))</title></rect>
                    """
            }
            if c % labelEvery == 0 {
                let label = category.count > 9 ? String(category.prefix(8)) + "…" : category
                out += """
                    <text class="tick" x="\(SVG.n(x0 + groupWidth * 0.4))" y="\(SVG.n(top + plotHeight + 14))" \
                    text-anchor="middle">\(SVG.escape(label))</text>
                    """
            }
        }
        out += """
            <line class="axis" x1="\(SVG.n(left))" y1="\(SVG.n(top + plotHeight))" x2="\(SVG.n(left + plotWidth))" y2="\(SVG.n(top + plotHeight))"/></svg>
            """
        return out
    }
}
