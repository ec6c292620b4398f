import Foundation

/// Prints "reading FILE: N rows (P %)" to stderr at most once a second, only once reading has
/// taken longer than a second, so short runs stay quiet. Ticked from one thread only (a file read in parts
/// reports its first part), hence unchecked.
final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let start = ContinuousClock.now
    private var lastPrint: ContinuousClock.Instant
    private var printed = false

    init(label: String) {
        self.label = label
        self.lastPrint = start
    }

    func tick(rows: Int, fraction: Double) {
        guard rows & 4095 == 0 else { return }
        let now = ContinuousClock.now
        guard now - start > .seconds(1), now - lastPrint > .seconds(1) else { return }
        lastPrint = now
        printed = true
        FileHandle.standardError.write(Data("\(label): \(rows) rows (\(Int(fraction * 100))%)\n".utf8))
    }

    func finish(rows: Int) {
        guard printed else { return }
        FileHandle.standardError.write(Data("\(label): \(rows) rows, done\n".utf8))
    }
}
