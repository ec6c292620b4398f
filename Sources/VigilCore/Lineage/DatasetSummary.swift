/// What is known about a dataset without its rows: a column profile a job computed (Spark, pandas, a data
/// warehouse), or what an OpenLineage run reported (schema, row count, null counts, assertions). A gate
/// checks it for what it can show (see ``GateCheck/init(gate:summary:at:runId:dataset:)``).
///
/// ```json
/// {"rows": 1000,
///  "columns": {"fare": {"type": "numeric", "nulls": 300, "min": 0, "max": 480},
///              "payment": {"type": "categorical", "nulls": 0, "categories": {"card": 600, "cash": 400}}}}
/// ```
public struct DatasetSummary: Sendable, Hashable, Codable {
    public struct Column: Sendable, Hashable, Codable {
        public var type: ColumnType?
        public var nulls: Int64?
        public var min: Double?
        public var max: Double?
        /// Count per category, when counted.
        public var categories: [String: Int64]?

        public init(
            type: ColumnType? = nil, nulls: Int64? = nil, min: Double? = nil, max: Double? = nil,
            categories: [String: Int64]? = nil
        ) {
            self.type = type
            self.nulls = nulls
            self.min = min
            self.max = max
            self.categories = categories
        }
    }

    public var rows: Int64?
    public var columns: [String: Column]
    /// Whether `columns` lists every column (a profile, a schema facet): a rule's column absent from it is
    /// absent from the data, not merely unreported.
    public var complete: Bool
    /// Data-quality assertions that failed, with their column when they have one.
    public var failedAssertions: [DatasetFacts.Assertion]

    public init(
        rows: Int64?, columns: [String: Column], complete: Bool = true, failedAssertions: [DatasetFacts.Assertion] = []
    ) {
        self.rows = rows
        self.columns = columns
        self.complete = complete
        self.failedAssertions = failedAssertions
    }

    /// What a run reported about a dataset it wrote: schema field types, null counts, row count, assertions.
    public init(_ facts: DatasetFacts) {
        var columns: [String: Column] = [:]
        for field in facts.fields ?? [] {
            columns[field.name] = Column(type: field.type.flatMap(Self.columnType))
        }
        for (name, nulls) in facts.nullCounts ?? [:] { columns[name, default: Column()].nulls = nulls }
        self.init(
            rows: facts.rowCount, columns: columns, complete: facts.fields != nil,
            failedAssertions: facts.failedAssertions)
    }

    /// The rule type a schema's type names, when it names one plainly (`double`, `int64`, `varchar(20)`…).
    static func columnType(_ text: String) -> ColumnType? {
        let word = String(text.lowercased().prefix { $0.isLetter })
        let numeric = ["int", "integer", "long", "bigint", "smallint", "tinyint", "float", "double", "decimal",
            "numeric", "number", "real"]
        if numeric.contains(word) { return .numeric }
        let categorical = ["string", "varchar", "text", "char", "str", "object", "category", "enum"]
        return categorical.contains(word) ? .categorical : nil
    }
}
