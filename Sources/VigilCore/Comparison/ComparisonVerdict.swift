/// Is the candidate at least as good as the baseline? Decided from an interval on the improvement (the
/// difference oriented so that positive means the candidate is better) and a non-inferiority margin:
///
/// - `better`: the whole interval is above 0;
/// - `no_worse`: the whole interval is above `−margin` (any loss is within the margin);
/// - `worse`: the whole interval is below 0 and reaches past `−margin` (a real loss, not shown to be small);
/// - `undecided`: more labels are needed.
public enum ComparisonVerdict: String, Sendable, Hashable, Codable {
    case better
    case noWorse = "no_worse"
    case worse
    case undecided

    public static func decide(lower: Double, upper: Double, margin: Double) -> ComparisonVerdict {
        if lower > 0 { return .better }
        if lower > -margin { return .noWorse }
        if upper < 0 { return .worse }
        return .undecided
    }

    /// Labels to add (both versions together, in today's proportions) before an undecided comparison decides,
    /// if the improvement stays where it is now: the interval shrinks as 1/√n until it clears `−margin` (to
    /// `no_worse`) or 0 from below (to `worse`). Nil when decided, or when the estimate sits on a boundary.
    public static func labelsNeeded(
        estimate: Double, lower: Double, upper: Double, margin: Double, labels: Int64
    ) -> Int64? {
        guard decide(lower: lower, upper: upper, margin: margin) == .undecided, labels > 0 else { return nil }
        let half = (upper - lower) / 2
        // The half-width that would decide: above −margin with room, or below 0 with room.
        let target = max(estimate + margin, -estimate)
        guard target > 1e-9, half > 0 else { return nil }
        let factor = (half / target) * (half / target)
        let needed = (Double(labels) * (factor - 1)).rounded(.up)
        return needed.isFinite && needed < 1e15 ? max(1, Int64(needed)) : nil
    }
}
