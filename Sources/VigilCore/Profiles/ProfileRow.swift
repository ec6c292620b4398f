/// One prediction's values as profiles need them: column ids resolved once, applied to two buckets.
struct ProfileRow: Sendable {
    var columns: [(id: Int, value: FeatureValue)] = []
    var score: Double?
    var prediction: FeatureValue = .null

    /// Resolves a prediction's features to the model's column ids (names without a column are left out) and
    /// takes its outputs.
    mutating func fill(_ p: Prediction, _ encoded: Engine.EncodedPrediction, _ model: borrowing ModelState) {
        columns.removeAll(keepingCapacity: true)
        let index = model.profileColumnIndex
        for (name, value) in p.features {
            if let id = index[name] { columns.append((id, value)) }
        }
        switch model.task ?? .binary {
        case .binary:
            score = encoded.score
            prediction = .string(encoded.prediction >= 0.5 ? "1" : "0")
        case .multiclass:
            score = nil
            prediction = .string(model.classes[Int(encoded.prediction)])
        case .regression:
            score = nil
            prediction = .number(encoded.prediction)
        }
    }

    @inline(__always)
    func apply(to bucket: inout ProfileBucket, columnCount: Int, limits: ProfileLimits) {
        bucket.rows += 1
        if bucket.columns.count < columnCount {
            bucket.columns.append(contentsOf: repeatElement(ColumnProfile(), count: columnCount - bucket.columns.count))
        }
        if bucket.outputs.isEmpty { bucket.outputs = [ColumnProfile(), ColumnProfile()] }
        for c in columns { bucket.columns[c.id].add(c.value, limits: limits) }
        if let score { bucket.outputs[ProfileBucket.scoreOutput].add(.number(score), limits: limits) }
        bucket.outputs[ProfileBucket.predictionOutput].add(prediction, limits: limits)
    }
}
