import Foundation

/// Small helpers for writing SVG and HTML text by hand: escaping and compact number formatting.
enum SVG {
    /// Escapes `&`, `<`, `>`, `"` and `'` for text and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate with one decimal: enough for a screen, and it keeps the markup small.
    static func n(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// The dashboard's palette: one color per series, in order, readable on white and in print.
enum Palette {
    static let series = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#be123c", "#4d7c0f", "#a16207"]
    static let reference = "#9ca3af"
    static let current = "#2563eb"
    static let guide = "#dc2626"
    static let shade = "#e5e7eb"
    /// Change markers (deployments, references, rules…).
    static let change = "#7c3aed"

    static func color(_ i: Int) -> String { series[i % series.count] }
}
