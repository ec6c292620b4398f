/// Count, mean and sum of squared deviations (Welford), mergeable (Chan et al.) and removable.
struct Moments: Sendable, Hashable, Codable {
    var count = 0.0
    var mean = 0.0
    var m2 = 0.0

    mutating func add(_ x: Double) {
        count += 1
        let delta = x - mean
        mean += delta / count
        m2 += delta * (x - mean)
    }

    mutating func remove(_ x: Double) {
        guard count > 1 else {
            self = Moments()
            return
        }
        let delta = x - mean
        count -= 1
        mean -= delta / count
        m2 -= delta * (x - mean)
    }

    mutating func merge(_ other: Moments) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let n = count + other.count
        let delta = other.mean - mean
        mean += delta * other.count / n
        m2 += other.m2 + delta * delta * count * other.count / n
        count = n
    }
}
