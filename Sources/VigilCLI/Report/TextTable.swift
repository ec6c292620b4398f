import Foundation

/// Rows of cells as aligned text columns, two spaces apart, trailing spaces trimmed.
enum TextTable {
    /// - Parameter underline: put a line of dashes under the first row (the header).
    static func lines(_ rows: [[String]], underline: Bool = false) -> [String] {
        guard let header = rows.first else { return [] }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [line(header)]
        if underline { out.append(line(widths.map { String(repeating: "-", count: $0) })) }
        return out + rows.dropFirst().map(line)
    }
}
