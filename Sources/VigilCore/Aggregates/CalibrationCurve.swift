/// A reliability diagram of a binary classifier over a window: for each of ten equal-width score bins,
/// the labeled rows that fell in it, their mean score and the fraction that were positive.
///
/// The bins match scikit-learn's `calibration_curve(y, s, n_bins=10, strategy="uniform")`, which reports
/// the non-empty ones; a score of exactly 1 falls in the last bin.
public struct CalibrationCurve: Sendable, Hashable, Codable {
    public struct Bin: Sendable, Hashable, Codable {
        public var lower: Double
        public var upper: Double
        /// Labeled rows with a score in `[lower, upper)`.
        public var count: Int64
        /// `nil` for an empty bin.
        public var meanScore: Double?
        public var fractionPositive: Double?

        enum CodingKeys: String, CodingKey {
            case lower, upper, count
            case meanScore = "mean_score", fractionPositive = "fraction_positive"
        }
    }

    public var model: String
    public var from: Timestamp?
    public var to: Timestamp?
    public var bins: [Bin]
    /// The expected calibration error: the count-weighted mean gap between score and outcome.
    public var expectedCalibrationError: Double?

    enum CodingKeys: String, CodingKey {
        case model, from, to, bins
        case expectedCalibrationError = "ece"
    }

    init(model: String, from: Timestamp?, to: Timestamp?, _ sums: CalibrationBins) {
        self.model = model
        self.from = from
        self.to = to
        bins = (0..<CalibrationBins.count).map { b in
            let rows = sums.sums[b * 3]
            let n = Double(CalibrationBins.count)
            return Bin(
                lower: Double(b) / n, upper: Double(b + 1) / n, count: Int64(rows.rounded()),
                meanScore: rows > 0 ? sums.sums[b * 3 + 1] / rows : nil,
                fractionPositive: rows > 0 ? sums.sums[b * 3 + 2] / rows : nil)
        }
        expectedCalibrationError = sums.expectedCalibrationError
    }
}

extension Engine {
    /// The calibration curve of a binary classifier over a window, optionally for one version and segment.
    public func calibration(
        model name: String, window: Window = .cumulative, version: String? = nil, segment: Segment? = nil
    ) throws(QueryError) -> CalibrationCurve {
        let m = try binaryModel(name, for: "a calibration curve")
        let (merged, from, to) = try mergedWindow(
            m, window: window, version: version, segment: segment, parts: .calibration)
        return CalibrationCurve(model: name, from: from, to: to, merged.aggregate.binary.calibration)
    }
}
