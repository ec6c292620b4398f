/// One join entry's fixed-size fields, 40 bytes, stored together so that labeling a prediction
/// touches one cache line rather than one per field.
struct EntryRecord {
    /// Event time (ms).
    var time: Int64
    /// Arrival time (ms) of the label in effect.
    var labelTime: Int64
    /// Binary: the score. Regression: the predicted number. Multiclass: the bit pattern of
    /// `classScoresOffset << 32 | predictedClass`.
    var value: Double
    /// The label in effect (0/1, a class index or a number); meaningful once labeled.
    var label: Double
    /// Which series (model × version × segment values) the entry contributes to.
    var sliceSet: UInt32
    var flags: UInt8

    static let labeledFlag: UInt8 = 1
    static let hasScoreFlag: UInt8 = 2
    /// Binary: the prediction is 1.
    static let positiveFlag: UInt8 = 4

    /// Set once the entry passed the label horizon: it left the table, its chunk keeps its slot until freed.
    static let evictedFlag: UInt8 = 8
    var isLabeled: Bool { flags & Self.labeledFlag != 0 }
    var isEvicted: Bool { flags & Self.evictedFlag != 0 }
    var hasScore: Bool { flags & Self.hasScoreFlag != 0 }

    /// The prediction as aggregates read it: 0/1, a class index, or the number.
    func prediction(_ task: ModelTask) -> Double {
        switch task {
        case .binary: return flags & Self.positiveFlag != 0 ? 1 : 0
        case .regression: return value
        case .multiclass: return Double(value.bitPattern & 0xFFFF_FFFF)
        }
    }

    /// Binary score, when the prediction had one.
    func score(_ task: ModelTask) -> Double? { task == .binary && hasScore ? value : nil }

    /// Multiclass: where the entry's class scores start in its chunk's arena.
    var classScoresOffset: Int { Int(value.bitPattern >> 32) }

    static func multiclassValue(offset: Int, predictedClass: Int) -> Double {
        Double(bitPattern: UInt64(offset) << 32 | UInt64(predictedClass))
    }
}
