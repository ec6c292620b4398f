/// The parts of MLflow's REST API (`/api/2.0/mlflow/…`) the registry sync reads.
enum MLflowRecords {
    struct RegisteredModelResponse: Decodable {
        var registeredModel: RegisteredModel

        enum CodingKeys: String, CodingKey { case registeredModel = "registered_model" }
    }

    struct RegisteredModel: Decodable {
        var name: String
        var aliases: [Alias]?
    }

    struct Alias: Decodable {
        var alias: String
        var version: String
    }

    struct VersionsPage: Decodable {
        var modelVersions: [ModelVersion]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case modelVersions = "model_versions", nextPageToken = "next_page_token"
        }
    }

    struct ModelVersion: Decodable {
        var name: String
        var version: String
        var creationTimestamp: Int64?
        var currentStage: String?
        var source: String?
        var runId: String?
        var userId: String?
        var description: String?

        enum CodingKeys: String, CodingKey {
            case name, version, creationTimestamp = "creation_timestamp", currentStage = "current_stage", source
            case runId = "run_id", userId = "user_id", description
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            version = try MLflowRecords.text(c, .version) ?? ""
            creationTimestamp = try MLflowRecords.integer(c, .creationTimestamp)
            currentStage = try c.decodeIfPresent(String.self, forKey: .currentStage)
            source = try c.decodeIfPresent(String.self, forKey: .source)
            runId = try c.decodeIfPresent(String.self, forKey: .runId)
            userId = try c.decodeIfPresent(String.self, forKey: .userId)
            description = try c.decodeIfPresent(String.self, forKey: .description)
        }
    }

    struct RunResponse: Decodable {
        var run: Run
    }

    struct Run: Decodable {
        var info: Info
        var data: RunData?
        var inputs: Inputs?
    }

    struct Info: Decodable {
        var runId: String?
        var userId: String?

        enum CodingKeys: String, CodingKey { case runId = "run_id", userId = "user_id" }
    }

    struct RunData: Decodable {
        var metrics: [Metric]?
        var tags: [Tag]?
    }

    struct Metric: Decodable {
        var key: String
        var value: Double?
        var step: Int64?

        enum CodingKeys: String, CodingKey { case key, value, step }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            key = try c.decode(String.self, forKey: .key)
            // NaN and infinities come as strings ("NaN"); they are left out.
            value = try? c.decode(Double.self, forKey: .value)
            step = try MLflowRecords.integer(c, .step)
        }
    }

    struct Tag: Decodable {
        var key: String
        var value: String?
    }

    struct Inputs: Decodable {
        var datasetInputs: [DatasetInput]?

        enum CodingKeys: String, CodingKey { case datasetInputs = "dataset_inputs" }
    }

    struct DatasetInput: Decodable {
        var dataset: Dataset
    }

    struct Dataset: Decodable {
        var name: String?
        var source: String?
        var digest: String?
    }

    /// MLflow writes 64-bit integers as JSON numbers, some versions as strings.
    static func integer<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Int64? {
        if let n = try? c.decodeIfPresent(Int64.self, forKey: key) { return n }
        return try c.decodeIfPresent(String.self, forKey: key).flatMap { Int64($0) }
    }

    static func text<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> String? {
        if let s = try? c.decodeIfPresent(String.self, forKey: key) { return s }
        return try c.decodeIfPresent(Int64.self, forKey: key).map(String.init)
    }
}
