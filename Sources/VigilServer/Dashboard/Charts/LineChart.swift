import Foundation

/// A line chart as inline SVG: series with optional 95 % bands, an optional shaded share (label coverage)
/// on a right-hand 0–100 % axis, and horizontal guides (objectives).
///
/// Points carry a `<title>`, which browsers show as a tooltip, so no script is needed.
struct LineChart {
    struct Point {
        var x: Double
        var y: Double?
        var lower: Double? = nil
        var upper: Double? = nil
        /// The tooltip; `nil` for none.
        var note: String? = nil
    }

    struct Series {
        var name: String
        var color: String
        var points: [Point]
        var dashed = false
    }

    /// A horizontal line across the plot, labeled at its right end.
    struct Guide {
        var y: Double
        var label: String
    }

    /// A vertical line at a time: a change (deployment, stage or traffic move, new reference, edited rules…),
    /// numbered at the top, its description as a tooltip.
    struct Marker {
        var x: Double
        var label: String
        var note: String
    }

    /// A share in [0, 1] drawn as a gray step area behind the lines (e.g. label coverage per step).
    struct Shade {
        var name: String
        var steps: [(from: Double, to: Double, share: Double)]
    }

    enum XAxis {
        /// Milliseconds since the epoch, labeled in UTC.
        case time
        case number(format: (Double) -> String)
    }

    var title: String
    var xDomain: ClosedRange<Double>
    var xAxis: XAxis = .time
    /// `nil` to fit the data (and guides) with some headroom.
    var yDomain: ClosedRange<Double>? = nil
    var yFormat: (Double) -> String = { DashboardFormat.tick($0) }
    var series: [Series] = []
    var guides: [Guide] = []
    var shade: Shade? = nil
    /// Changes in the x domain (time charts only).
    var markers: [Marker] = []
    var width = 760.0
    var height = 260.0

    private var left: Double { 52 }
    private var right: Double { shade == nil ? 16 : 44 }
    private var top: Double { 26 }
    private var bottom: Double { 26 }
    private var plotWidth: Double { width - left - right }
    private var plotHeight: Double { height - top - bottom }

    func render() -> String {
        let y = resolvedYDomain()
        var out = """
            <svg class="chart" viewBox="0 0 \(SVG.n(width)) \(SVG.n(height))" role="img" aria-label="\(SVG.escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            """
        out += legend()
        if let shade { out += shadeArea(shade) }
        out += grid(y)
        for g in guides { out += guide(g, y) }
        for (i, m) in markers.enumerated() where xDomain.contains(m.x) { out += marker(m, number: i + 1) }
        for s in series { out += bands(s, y) }
        for s in series { out += line(s, y) }
        out += "</svg>"
        return out
    }

    // MARK: - Scales

    private func px(_ x: Double) -> Double {
        let span = xDomain.upperBound - xDomain.lowerBound
        return left + (span > 0 ? (x - xDomain.lowerBound) / span : 0.5) * plotWidth
    }

    private func py(_ v: Double, _ d: ClosedRange<Double>) -> Double {
        let span = d.upperBound - d.lowerBound
        let clamped = min(max(v, d.lowerBound), d.upperBound)
        return top + plotHeight - (span > 0 ? (clamped - d.lowerBound) / span : 0.5) * plotHeight
    }

    private func resolvedYDomain() -> ClosedRange<Double> {
        if let yDomain { return yDomain }
        var values = guides.map(\.y)
        for s in series {
            for p in s.points { values += [p.y, p.lower, p.upper].compactMap { $0 }.filter(\.isFinite) }
        }
        guard var lo = values.min(), var hi = values.max() else { return 0...1 }
        if lo == hi {
            lo -= max(abs(lo) * 0.1, 0.01)
            hi += max(abs(hi) * 0.1, 0.01)
        }
        let pad = (hi - lo) * 0.08
        return (lo - pad)...(hi + pad)
    }

    // MARK: - Layers

    private func legend() -> String {
        var out = ""
        var x = left
        let items =
            series.map { ($0.name, $0.color, $0.dashed) } + (shade.map { [($0.name, Palette.shade, false)] } ?? [])
        for (name, color, dashed) in items {
            let dash = dashed ? #" stroke-dasharray="5 3""# : ""
            out += """
                <line x1="\(SVG.n(x))" y1="11" x2="\(SVG.n(x + 16))" y2="11" stroke="\(color)" stroke-width="\(color == Palette.shade ? 8 : 2)"\(dash)/>\
                <text class="legend" x="\(SVG.n(x + 20))" y="15">\(SVG.escape(name))</text>
                """
            x += 28 + Double(name.count) * 6.4
        }
        return out
    }

    private func grid(_ y: ClosedRange<Double>) -> String {
        var out = ""
        for t in Axis.numeric(y, format: yFormat).ticks where t.value >= y.lowerBound && t.value <= y.upperBound {
            let yy = py(t.value, y)
            out += """
                <line class="grid" x1="\(SVG.n(left))" y1="\(SVG.n(yy))" x2="\(SVG.n(left + plotWidth))" y2="\(SVG.n(yy))"/>\
                <text class="tick" x="\(SVG.n(left - 6))" y="\(SVG.n(yy + 4))" text-anchor="end">\(SVG.escape(t.label))</text>
                """
        }
        let xTicks: Axis
        switch xAxis {
        case .time: xTicks = Axis.time(xDomain)
        case .number(let format): xTicks = Axis.numeric(xDomain, count: 6, format: format)
        }
        let base = top + plotHeight
        for t in xTicks.ticks {
            let xx = px(t.value)
            out += """
                <line class="axis" x1="\(SVG.n(xx))" y1="\(SVG.n(base))" x2="\(SVG.n(xx))" y2="\(SVG.n(base + 4))"/>\
                <text class="tick" x="\(SVG.n(xx))" y="\(SVG.n(base + 17))" text-anchor="middle">\(SVG.escape(t.label))</text>
                """
        }
        out += """
            <line class="axis" x1="\(SVG.n(left))" y1="\(SVG.n(base))" x2="\(SVG.n(left + plotWidth))" y2="\(SVG.n(base))"/>
            """
        return out
    }

    private func guide(_ g: Guide, _ y: ClosedRange<Double>) -> String {
        let yy = py(g.y, y)
        return """
            <line x1="\(SVG.n(left))" y1="\(SVG.n(yy))" x2="\(SVG.n(left + plotWidth))" y2="\(SVG.n(yy))" \
            stroke="\(Palette.guide)" stroke-dasharray="6 4" stroke-width="1.2"/>\
            <text class="guide" x="\(SVG.n(left + plotWidth - 4))" y="\(SVG.n(yy - 5))" text-anchor="end">\(SVG.escape(g.label))</text>
            """
    }

    private func marker(_ m: Marker, number: Int) -> String {
        let xx = px(m.x)
        return """
            <g class="change-marker" data-at="\(Int64(m.x))"><title>\(SVG.escape(m.note))</title>\
            <line x1="\(SVG.n(xx))" y1="\(SVG.n(top))" x2="\(SVG.n(xx))" y2="\(SVG.n(top + plotHeight))" \
            stroke="\(Palette.change)" stroke-dasharray="3 3" stroke-width="1.2"/>\
            <text class="marker" x="\(SVG.n(xx + 3))" y="\(SVG.n(top + 10))" fill="\(Palette.change)">\(number) \(SVG.escape(m.label))</text></g>
            """
    }

    private func shadeArea(_ s: Shade) -> String {
        let unit = 0.0...1.0
        var out = ""
        for step in s.steps where step.share > 0 {
            let x0 = px(step.from)
            let x1 = px(step.to)
            let y0 = py(step.share, unit)
            out += """
                <rect x="\(SVG.n(x0))" y="\(SVG.n(y0))" width="\(SVG.n(max(x1 - x0, 0.5)))" height="\(SVG.n(top + plotHeight - y0))" \
                fill="\(Palette.shade)"><title>\(SVG.escape(s.name)): \(DashboardFormat.percent(step.share))</title></rect>
                """
        }
        for t in [0.0, 0.5, 1.0] {
            out += """
                <text class="tick" x="\(SVG.n(left + plotWidth + 6))" y="\(SVG.n(py(t, unit) + 4))">\(DashboardFormat.percent(t, digits: 0))</text>
                """
        }
        return out
    }

    /// Runs of consecutive points with a value: lines and bands break where a value is missing.
    private func runs(_ points: [Point], _ has: (Point) -> Bool) -> [[Point]] {
        var runs: [[Point]] = []
        var current: [Point] = []
        for p in points {
            if has(p) {
                current.append(p)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    private func bands(_ s: Series, _ y: ClosedRange<Double>) -> String {
        var out = ""
        for run in runs(s.points, { $0.lower != nil && $0.upper != nil }) where run.count > 1 {
            let upper = run.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.upper!, y)))" }
            let lower = run.reversed().map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.lower!, y)))" }
            out +=
                #"<polygon points="\#((upper + lower).joined(separator: " "))" fill="\#(s.color)" fill-opacity="0.12"/>"#
        }
        return out
    }

    private func line(_ s: Series, _ y: ClosedRange<Double>) -> String {
        var out = ""
        let dash = s.dashed ? #" stroke-dasharray="5 3""# : ""
        for run in runs(s.points, { $0.y?.isFinite == true }) {
            let path = run.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(SVG.n(px(p.x))),\(SVG.n(py(p.y!, y)))" }
            out += #"<path d="\#(path.joined())" fill="none" stroke="\#(s.color)" stroke-width="2"\#(dash)/>"#
        }
        for p in s.points {
            guard let v = p.y, v.isFinite else { continue }
            out += #"<circle cx="\#(SVG.n(px(p.x)))" cy="\#(SVG.n(py(v, y)))" r="2.6" fill="\#(s.color)">"#
            if let note = p.note { out += "<title>\(SVG.escape(note))</title>" }
            out += "</circle>"
        }
        return out
    }
}
