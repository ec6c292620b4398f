import Testing

@testable import VigilCore

struct WindowPlanTests {
    let day = Resolution.day.milliseconds
    let hour = Resolution.hour.milliseconds
    let minute = Resolution.minute.milliseconds

    @Test func coversTheRangeExactlyWithFewBuckets() {
        let from = 10 * day + 5 * hour + 17 * minute
        let to = 40 * day + 3 * hour + 2 * minute
        let plan = WindowPlan(from: from, to: to, minuteCutoff: .min, hourCutoff: .min)
        var covered = from
        for (r, key) in plan.buckets {
            #expect(key * r.milliseconds == covered, "gap or overlap at \(covered)")
            covered += r.milliseconds
        }
        #expect(covered == to)
        // 43 minutes + 18 hours up to the first midnight, 29 days, 3 hours + 2 minutes at the end.
        #expect(plan.buckets.count == 43 + 18 + 29 + 3 + 2)
    }

    /// A window of centuries around a few days of data plans only the data's days (whole days outside it are
    /// empty), and every bucket it keeps is one the unclamped plan has too.
    @Test func aHugeWindowPlansOnlyTheDaysThatCanHoldData() {
        let from = -100_000 * day + 7 * minute
        let to = 100_000 * day + 5 * hour
        let data = (10 * day + 3 * hour)...(13 * day + 2 * hour)
        let clamped = WindowPlan(from: from, to: to, minuteCutoff: .min, hourCutoff: .min, data: data)
        #expect(clamped.buckets.count == 4)  // days 10, 11, 12 and 13
        #expect(clamped.from == from && clamped.to == to)
        let full = WindowPlan(from: from, to: to, minuteCutoff: .min, hourCutoff: .min)
        let fullKeys = Set(full.buckets.map { "\($0.0)\($0.1)" })
        #expect(clamped.buckets.allSatisfy { fullKeys.contains("\($0.0)\($0.1)") })
        let inside = WindowPlan(
            from: 11 * day + 30 * minute, to: 12 * day + 5 * hour, minuteCutoff: .min, hourCutoff: .min)
        let insideClamped = WindowPlan(
            from: 11 * day + 30 * minute, to: 12 * day + 5 * hour, minuteCutoff: .min, hourCutoff: .min, data: data)
        #expect(insideClamped == inside)
    }

    /// Before any event an engine plans no buckets, whatever the window: all of time is then ~10⁸ days.
    @Test func anEngineWithoutEventsPlansNoBuckets() {
        let engine = Engine()
        let plan = engine.windowPlan(from: -(1 << 52), to: 1 << 52 - 7, minuteCutoff: .min, hourCutoff: .min)
        #expect(plan.buckets.isEmpty)
        let full = WindowPlan(from: 5 * day + 7, to: 9 * day - 7, minuteCutoff: .min, hourCutoff: .min)
        let empty = WindowPlan.empty(from: 5 * day + 7, to: 9 * day - 7, minuteCutoff: .min, hourCutoff: .min)
        #expect(empty.from == full.from && empty.to == full.to && empty.buckets.isEmpty)
    }

    @Test(arguments: ["9223372036854775807d", "7063999915w", "36601d", "99999999999999999999s"])
    func overlongDurationsAreRefusedNotOverflowed(text: String) {
        #expect(throws: DurationError.self) { try Duration(window: text) }
    }

    @Test func aCenturyIsTheLongestDuration() throws {
        #expect(try Duration(window: "36600d") == .seconds(36_600 * 86_400))
    }

    @Test func edgesSnapDownToTheMinute() {
        let plan = WindowPlan(from: 30 * minute + 59_999, to: 90 * minute + 1, minuteCutoff: .min, hourCutoff: .min)
        #expect(plan.from == 30 * minute)
        #expect(plan.to == 90 * minute)
    }

    @Test func edgesOlderThanMinuteRetentionSnapToTheHour() {
        let plan = WindowPlan(
            from: 2 * hour + 5 * minute, to: 50 * hour + 7 * minute, minuteCutoff: 10 * hour, hourCutoff: .min)
        #expect(plan.from == 2 * hour)
        #expect(plan.to == 50 * hour + 7 * minute)
        #expect(!plan.buckets.contains { $0.0 == .minute && $0.1 * minute < 10 * hour })
    }

    @Test func bucketCountDoesNotDependOnTheData() {
        // Plans are computed from bounds alone: the most a 30-day window can need.
        let plan = WindowPlan(from: 1 * minute, to: 30 * day - minute, minuteCutoff: .min, hourCutoff: .min)
        #expect(plan.buckets.count <= 2 * (59 + 23) + 30)
    }
}
