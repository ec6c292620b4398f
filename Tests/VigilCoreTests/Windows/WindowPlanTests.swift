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
