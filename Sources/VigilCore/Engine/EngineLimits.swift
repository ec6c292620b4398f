import Foundation

/// Caps on everything an input can make the engine grow: models, versions, segments, classes, features and
/// the length of every string an event carries.
///
/// Each cap either rejects the row with an ``EventError`` naming the field (models, versions, segment keys,
/// classes, features, lengths) or, for segment values, folds values past the cap into
/// ``EngineLimits/otherSegmentValue`` so a high-cardinality tag keeps being counted without growing memory.
/// The defaults fit a large deployment; memory per series is a few kilobytes (see docs/benchmarks.md).
///
/// ```swift
/// var configuration = EngineConfiguration()
/// configuration.limits.maxSegmentValuesPerKey = 50  // `user` tags beyond 50 values count as `__other__`
/// ```
public struct EngineLimits: Sendable, Hashable, Codable {
    /// The segment value that stands for every value past ``maxSegmentValuesPerKey``.
    public static let otherSegmentValue = "__other__"

    /// Models the engine holds. Default 1,000.
    public var maxModels = 1000
    /// Versions per model. Default 100.
    public var maxVersionsPerModel = 100
    /// Versions per model seen in shadow predictions (each also keeps paired counts against every served
    /// version, by hour). Default 16.
    public var maxShadowVersionsPerModel = 16
    /// Distinct segment keys per model. Default 32.
    public var maxSegmentKeysPerModel = 32
    /// Distinct values per segment key of a model; later values are counted as `__other__`. Default 1,000.
    public var maxSegmentValuesPerKey = 1000
    /// Classes per multiclass model (each bucket keeps a classes × classes confusion matrix). Default 256.
    public var maxClassesPerModel = 256
    /// Features in one row. Default 1,000.
    public var maxFeaturesPerRow = 1000
    /// Bytes of an id. Default 256.
    public var maxIdBytes = 256
    /// Bytes of a model name, version, segment key or value, feature name or class name. Default 256.
    public var maxNameBytes = 256
    /// Bytes of a string feature value or label. Default 4,096.
    public var maxStringValueBytes = 4096

    public init() {}

    /// Each limit by the name `vigil serve --limit NAME=VALUE` and `VIGIL_LIMITS` use.
    public static var byName: [(name: String, path: WritableKeyPath<EngineLimits, Int>)] {
        [
            ("models", \.maxModels), ("versions-per-model", \.maxVersionsPerModel),
            ("shadow-versions-per-model", \.maxShadowVersionsPerModel),
            ("segment-keys-per-model", \.maxSegmentKeysPerModel), ("segment-values-per-key", \.maxSegmentValuesPerKey),
            ("classes-per-model", \.maxClassesPerModel), ("features-per-row", \.maxFeaturesPerRow),
            ("id-bytes", \.maxIdBytes), ("name-bytes", \.maxNameBytes), ("string-value-bytes", \.maxStringValueBytes),
        ]
    }

    /// Sets limits from `NAME=VALUE` settings (comma-separated or one per string).
    ///
    /// ```swift
    /// var limits = EngineLimits()
    /// try limits.set(["segment-values-per-key=50", "models=20"])
    /// ```
    public mutating func set(_ settings: [String]) throws(QueryError) {
        for setting in settings.flatMap({ $0.split(separator: ",") }) {
            let parts = setting.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let entry = Self.byName.first(where: { $0.name == parts[0] }) else {
                throw QueryError(
                    .invalidDefinition,
                    "unknown limit '\(setting)': use NAME=VALUE with NAME one of \(Self.byName.map(\.name).joined(separator: ", "))"
                )
            }
            guard let value = Int(parts[1]), value > 0 else {
                throw QueryError(.invalidDefinition, "limit \(parts[0]) must be a positive integer, got '\(parts[1])'")
            }
            self[keyPath: entry.path] = value
        }
    }
}
