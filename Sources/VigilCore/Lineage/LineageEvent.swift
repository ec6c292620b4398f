/// One OpenLineage `RunEvent` (spec 2-0-x), reduced to what Vigil keeps: the run's state change, its job, and
/// its input and output datasets with the facets that describe their data (schema, row counts, null counts,
/// data-quality assertions). Other facets are accepted and ignored, as OpenLineage consumers do.
public struct LineageEvent: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case start = "START", running = "RUNNING", complete = "COMPLETE", abort = "ABORT", fail = "FAIL"
        case other = "OTHER"

        /// COMPLETE, FAIL and ABORT end a run.
        public var isTerminal: Bool { self == .complete || self == .fail || self == .abort }
    }

    public var state: State
    public var time: Timestamp
    public var runId: String
    public var job: JobRef
    public var inputs: [DatasetFacts]
    public var outputs: [DatasetFacts]
    /// From the `errorMessage` run facet.
    public var errorMessage: String?
    /// From the `parent` run facet: the run that started this one (an Airflow DAG run for a task).
    public var parentRunId: String?
    /// From the `sourceCodeLocation` job facet (`version`, else `url`).
    public var codeVersion: String?
    public var producer: String?

    public init(
        state: State, time: Timestamp, runId: String, job: JobRef, inputs: [DatasetFacts] = [],
        outputs: [DatasetFacts] = [], errorMessage: String? = nil, parentRunId: String? = nil,
        codeVersion: String? = nil, producer: String? = nil
    ) {
        self.state = state
        self.time = time
        self.runId = runId
        self.job = job
        self.inputs = inputs
        self.outputs = outputs
        self.errorMessage = errorMessage
        self.parentRunId = parentRunId
        self.codeVersion = codeVersion
        self.producer = producer
    }

    enum CodingKeys: String, CodingKey {
        case state, time, runId = "run_id", job, inputs, outputs, errorMessage = "error_message"
        case parentRunId = "parent_run_id", codeVersion = "code_version", producer
    }
}

/// A job by OpenLineage's identity: a namespace (`airflow-prod`, `taxi`) and a name (`build_features.trips`).
public struct JobRef: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (a: JobRef, b: JobRef) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
}

/// A dataset by OpenLineage's identity: a namespace (`s3://lake`) and a name (`features.trips`).
public typealias DatasetRef = JobRef

/// A dataset as one run read or wrote it: its identity (namespace such as `s3://lake`, name such as
/// `features.trips`) and what the event's facets say about its data.
public struct DatasetFacts: Sendable, Hashable, Codable {
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var type: String?

        public init(name: String, type: String? = nil) {
            self.name = name
            self.type = type
        }
    }

    public struct Assertion: Sendable, Hashable, Codable {
        public var assertion: String
        public var success: Bool
        public var column: String?

        public init(assertion: String, success: Bool, column: String? = nil) {
            self.assertion = assertion
            self.success = success
            self.column = column
        }
    }

    public var namespace: String
    public var name: String
    /// `schema` facet.
    public var fields: [Field]?
    /// `dataQualityMetrics` (inputs) or `outputStatistics` (outputs).
    public var rowCount: Int64?
    /// `dataQualityMetrics.columnMetrics.*.nullCount`.
    public var nullCounts: [String: Int64]?
    /// `dataQualityAssertions`.
    public var assertions: [Assertion]?
    /// `version` facet (`datasetVersion`).
    public var version: String?

    public init(
        namespace: String, name: String, fields: [Field]? = nil, rowCount: Int64? = nil,
        nullCounts: [String: Int64]? = nil, assertions: [Assertion]? = nil, version: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.fields = fields
        self.rowCount = rowCount
        self.nullCounts = nullCounts
        self.assertions = assertions
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case namespace, name, fields, rowCount = "row_count", nullCounts = "null_counts", assertions, version
    }

    /// The assertions that failed.
    public var failedAssertions: [Assertion] { (assertions ?? []).filter { !$0.success } }

    /// This dataset's facts with `newer` laid over them (a later event's facets win, absent ones keep).
    func merged(with newer: DatasetFacts) -> DatasetFacts {
        var d = self
        d.fields = newer.fields ?? fields
        d.rowCount = newer.rowCount ?? rowCount
        d.nullCounts = newer.nullCounts ?? nullCounts
        d.assertions = newer.assertions ?? assertions
        d.version = newer.version ?? version
        return d
    }
}
