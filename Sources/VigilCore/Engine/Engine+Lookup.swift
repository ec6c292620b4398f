extension Engine {
    /// A served prediction still in the join (younger than the label horizon), as the engine holds it.
    public struct PredictionRecord: Sendable, Hashable, Codable {
        public var id: String
        public var model: String
        public var version: String
        public var time: Timestamp
        /// The label in effect (0/1, a class name or a number), and when it arrived.
        public var label: Outcome?
        public var labeledAt: Timestamp?

        enum CodingKeys: String, CodingKey {
            case id, model, version, time, label, labeledAt = "labeled_at"
        }
    }

    /// The served prediction `id`, if it is still in the join (`nil` once older than the label horizon, or
    /// for an id never sent, or of a removed model).
    public func prediction(_ id: String) -> PredictionRecord? {
        let hash = idHash(id)
        let join = shards[shardIndex(ofHash: hash)].join
        guard let ref = join.find(id, hash: hash) else { return nil }
        let entry = join.entry(ref)
        let set = Int(entry.sliceSet)
        let m = sliceModels[set]
        guard !models[m].removed else { return nil }
        return PredictionRecord(
            id: id, model: models[m].name, version: seriesKeys[sliceBaseSeries[set]].version,
            time: Timestamp(milliseconds: entry.time),
            label: entry.isLabeled ? decodedLabel(entry.label, model: m) : nil,
            labeledAt: entry.isLabeled ? Timestamp(milliseconds: entry.labelTime) : nil)
    }
}
