extension Deployment {
    /// The timeline entries for replacing `old` (nil: a new deployment) with this record at `t`: one for a
    /// new deployment or for edited details, one for a stage move, one for a traffic change.
    public func changes(from old: Deployment?, at t: Timestamp) -> [Change] {
        guard let old else {
            let share = trafficShare.map { " (\(Self.percent($0)))" } ?? ""
            return [
                Change(
                    model: model, at: t, kind: .deployment, subject: version, to: stage.rawValue,
                    summary: "\(version) deployed as \(stage.rawValue)\(share)")
            ]
        }
        var out: [Change] = []
        if old.stage != stage {
            out.append(
                Change(
                    model: model, at: t, kind: .stage, subject: version, from: old.stage.rawValue, to: stage.rawValue,
                    summary: "\(version): \(old.stage.rawValue) → \(stage.rawValue)"))
        }
        if old.trafficShare != trafficShare {
            let (a, b) = (old.trafficShare.map(Self.percent) ?? "unset", trafficShare.map(Self.percent) ?? "unset")
            out.append(
                Change(
                    model: model, at: t, kind: .trafficShare, subject: version,
                    from: old.trafficShare.map { "\($0)" }, to: trafficShare.map { "\($0)" },
                    summary: "\(version): traffic \(a) → \(b)"))
        }
        let edited = editedFields(since: old)
        if !edited.isEmpty {
            out.append(
                Change(
                    model: model, at: t, kind: .deployment, subject: version,
                    summary: "\(version) updated: \(edited.joined(separator: ", "))"))
        }
        return out
    }

    /// The entry for removing this record.
    public func removal(at t: Timestamp) -> Change {
        Change(
            model: model, at: t, kind: .deployment, subject: version, from: stage.rawValue,
            summary: "\(version): deployment record removed")
    }

    /// The details that differ from `old`, by JSON field name.
    private func editedFields(since old: Deployment) -> [String] {
        var fields: [String] = []
        if old.startedAt != startedAt { fields.append("started_at") }
        if old.endedAt != endedAt, !(stage == .retired && old.endedAt == nil) { fields.append("ended_at") }
        if old.owner != owner { fields.append("owner") }
        if old.codeRef != codeRef { fields.append("code_ref") }
        if old.trainingRun != trainingRun { fields.append("training_run") }
        if old.trainingData != trainingData { fields.append("training_data") }
        if old.offlineMetrics != offlineMetrics { fields.append("offline_metrics") }
        if old.labels != labels { fields.append("labels") }
        return fields
    }
}
