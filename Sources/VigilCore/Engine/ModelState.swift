/// What the engine knows of one model: its task, its classes, its versions and custom metrics.
struct ModelState: Sendable, Codable {
    var name: String
    /// Set by a declaration or by the first prediction.
    var task: ModelTask?
    var classes: [String] = []
    var classIndex: [String: Int] = [:]
    var versions: [String] = []
    /// Versions seen only in shadow predictions; their series are kept under ``Engine/shadowSeriesVersion(_:)``.
    var shadowVersions: [String] = []
    /// Segment key → the values seen for it (with `__other__` once values were folded), bounded by ``EngineLimits``.
    var segmentValues: [String: Set<String>] = [:]
    /// Profiled feature columns by id, in order of first appearance.
    var profileColumns: [String] = []
    var profileColumnIndex = StringTable<Int>()
    /// Feature names seen after ``EngineConfiguration/maxProfileColumns`` was reached.
    var untrackedColumns: Set<String> = []
    /// The feature columns its slices are counted by (worst-slice discovery).
    var slices = SliceColumns()
    /// Set when the model is removed: its id stays taken (series and join entries refer to it) but nothing
    /// is counted for it any more, and its name may start a new model.
    var removed = false
    var custom = CustomMetricRegistry() {
        didSet { hasCustomMetrics = !custom.isEmpty }
    }
    /// `!custom.isEmpty`, kept as a stored flag so the per-event check does not copy the registry.
    private(set) var hasCustomMetrics = false

    init(name: String, task: ModelTask? = nil) {
        self.name = name
        self.task = task
    }

    mutating func classId(_ name: String) -> Int {
        if let i = classIndex[name] { return i }
        classes.append(name)
        classIndex[name] = classes.count - 1
        return classes.count - 1
    }
}
