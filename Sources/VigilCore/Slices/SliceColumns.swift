import Foundation

/// The features a model is sliced by, and the code each of their values takes in a prediction's slice codes.
///
/// A prediction's codes pack one byte per column into a `UInt64` (column `i` in byte `i`): `0` where the
/// column does not slice the value (a number before the column has bin edges), then ``missing``, ``other``
/// (a category past ``maxValues``), a numeric bin (``firstBin`` + its index) or a category
/// (``firstValue`` + its index). Codes never change once given, whatever order values and edges arrive in,
/// so counts kept under them stay comparable. Categories are numbered in order of first appearance, so
/// every node replaying the log numbers them alike.
struct SliceColumns: Sendable, Codable, Hashable {
    /// Columns past this many are not sliced (a prediction's codes are one `UInt64`).
    static let maxColumns = 8
    /// Categories per column past this many are counted together as ``other``.
    static let maxValues = 16
    /// Numeric bins per column: the reference's quintiles make five.
    static let maxBins = 12

    static let unsliced: UInt8 = 0
    static let missing: UInt8 = 1
    static let other: UInt8 = 2
    static let firstBin: UInt8 = 3
    static let firstValue: UInt8 = firstBin + UInt8(maxBins)
    /// Set in the codes a join entry keeps when its prediction was counted in slices (codes use 5 bits a byte).
    static let countedFlag: UInt64 = 1 << 63

    struct Column: Sendable, Codable, Hashable {
        var name: String
        /// Interior cut points of the numeric bins, ascending; `nil` until the model's slice plan gives them.
        var edges: [Double]?
        var values: [String] = []
        var valueIndex: [String: UInt8] = [:]
    }

    private(set) var columns: [Column] = []
    private(set) var index: [String: Int] = [:]

    var isEmpty: Bool { columns.isEmpty }

    /// The codes of a prediction's features; `nil` when a feature would add a column or a category (the
    /// caller then interns them first, see ``intern(_:)``).
    func codes(_ features: [String: FeatureValue]) -> UInt64? {
        var codes: UInt64 = 0
        for (i, column) in columns.enumerated() {
            guard let code = Self.code(features[column.name], column) else { return nil }
            codes |= UInt64(code) << (8 * UInt64(i))
        }
        if columns.count < Self.maxColumns, features.keys.contains(where: { index[$0] == nil }) { return nil }
        return codes
    }

    /// Adds the columns and categories a prediction's features bring, within the limits; returns its codes.
    mutating func intern(_ features: [String: FeatureValue]) -> UInt64 {
        // In name order, not the dictionary's: every node must number a model's columns alike.
        for name in features.keys.filter({ index[$0] == nil }).sorted() where columns.count < Self.maxColumns {
            addColumn(name)
        }
        for (i, column) in columns.enumerated() {
            guard case .string(let s)? = features[column.name], column.valueIndex[s] == nil,
                column.values.count < Self.maxValues
            else { continue }
            columns[i].valueIndex[s] = Self.firstValue + UInt8(column.values.count)
            columns[i].values.append(s)
        }
        return codes(features) ?? 0
    }

    /// Sets a numeric column's bin edges, once: later edges are ignored, so counts keep one meaning.
    /// - Returns: whether the edges were taken.
    @discardableResult
    mutating func setEdges(_ edges: [Double], column name: String) -> Bool {
        let cuts = Array(Set(edges.filter(\.isFinite))).sorted().prefix(Self.maxBins - 1)
        if index[name] == nil {
            guard columns.count < Self.maxColumns else { return false }
            addColumn(name)
        }
        let i = index[name]!
        guard columns[i].edges == nil else { return false }
        columns[i].edges = Array(cuts)
        return true
    }

    /// Sets the edges of several columns, in name order (so columns new to the model are numbered alike everywhere).
    mutating func setEdges(_ edges: [String: [Double]]) {
        for (column, cuts) in edges.sorted(by: { $0.key < $1.key }) { setEdges(cuts, column: column) }
    }

    private mutating func addColumn(_ name: String) {
        index[name] = columns.count
        columns.append(Column(name: name))
    }

    /// A value's code in `column`, or `nil` for a category not numbered yet (room is left for it).
    private static func code(_ value: FeatureValue?, _ column: Column) -> UInt8? {
        switch value {
        case nil, .null?: return missing
        case .number(let x)?:
            guard let edges = column.edges, x.isFinite else { return x.isFinite ? unsliced : missing }
            return firstBin + UInt8(bin(x, edges))
        case .string(let s)?:
            if let code = column.valueIndex[s] { return code }
            return column.values.count < maxValues ? nil : other
        }
    }

    /// The bin of `x`: how many edges are at or below it.
    static func bin(_ x: Double, _ edges: [Double]) -> Int {
        var lo = 0
        var hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The slice a name of ``SliceReport`` names (its conditions joined by ` & `, in any order); `nil` when
    /// the columns have no such slice.
    func key(named name: String) -> SliceKey? {
        var terms: [(column: Int, code: UInt8)] = []
        for term in name.components(separatedBy: " & ") {
            let matches = columns.indices.filter { term.hasPrefix(columns[$0].name + " ") }
            guard
                let found = matches.lazy.compactMap({ i in
                    self.codes(column: i).first { condition(column: i, code: $0).description == term }.map { (i, $0) }
                }).first
            else { return nil }
            terms.append(found)
        }
        terms.sort { $0.column < $1.column }
        switch terms.count {
        case 1: return .single(terms[0].column, terms[0].code)
        case 2 where terms[0].column != terms[1].column:
            return .pair(terms[0].column, terms[0].code, terms[1].column, terms[1].code)
        default: return nil
        }
    }

    /// Every code column `i` can give: missing, other, each bin and each category.
    private func codes(column i: Int) -> [UInt8] {
        let bins = columns[i].edges.map { UInt8($0.count + 1) } ?? 0
        return [Self.missing, Self.other] + (0..<bins).map { Self.firstBin + $0 }
            + (0..<UInt8(columns[i].values.count)).map { Self.firstValue + $0 }
    }

    /// What a code of column `i` stands for.
    func condition(column i: Int, code: UInt8) -> SliceCondition {
        let column = columns[i]
        switch code {
        case Self.missing: return SliceCondition(column: column.name, value: nil, missing: true)
        case Self.other: return SliceCondition(column: column.name, value: "(other)")
        case Self.firstBin..<Self.firstValue:
            let b = Int(code - Self.firstBin)
            let edges = column.edges ?? []
            return SliceCondition(
                column: column.name, lower: b > 0 ? edges[b - 1] : nil, upper: b < edges.count ? edges[b] : nil)
        default:
            return SliceCondition(column: column.name, value: column.values[Int(code - Self.firstValue)])
        }
    }
}

extension DataProfile {
    /// The slice bins of each numeric column: the interior quintiles (numpy's linear quantiles at 0.2, 0.4,
    /// 0.6 and 0.8), duplicates dropped, so a column of few values gets fewer bins.
    public var sliceEdges: [String: [Double]] {
        var edges: [String: [Double]] = [:]
        for (name, column) in columns where column.majorityType == .numeric && column.numeric.count > 0 {
            let distribution = EmpiricalDistribution(column.numeric)
            let cuts = [0.2, 0.4, 0.6, 0.8].compactMap { distribution.quantile($0) }
            edges[name] = Array(Set(cuts)).sorted()
        }
        return edges
    }
}
