import VigilCore

/// Everything `vigil replay` needs, independent of argument parsing so tests can build it directly.
struct ReplayOptions {
    enum Format: String, CaseIterable {
        case table, json, csv
    }

    var predictions: String
    var feedback: String?
    var from: Timestamp?
    var to: Timestamp?
    var window: Duration?
    var step: Duration?
    var metrics: [String]?
    /// `version`, or a segment tag key.
    var by: [String] = []
    var asOf: Timestamp?
    var format: Format = .table
    var segmentColumns: [String] = []
    /// `name=expression` custom metrics, defined on every model in the input.
    var customMetrics: [String] = []
    var model: String?
    var defaultModel: String?
    var task: ModelTask?
    var classes: [String] = []
    var configuration = EngineConfiguration()
    /// A reference file (CSV or NDJSON): adds drift and quality sections for the selected window.
    var reference: String?
    /// Validation rules (JSON, as `vigil rules suggest` prints); default: suggested from the reference.
    var rules: String?
}
