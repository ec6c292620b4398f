import Foundation

/// A value computed on a thread of its own while the caller does something else; ``value()`` waits for it.
///
/// ```swift
/// let labels = Background { try readFeedback(path) }
/// let predictions = try readPredictions()
/// let feedback = try labels.value()
/// ```
final class Background<Value>: @unchecked Sendable {
    // Written once by the thread before `done` is signalled, read only after waiting for it.
    private var result: Result<Value, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            result = Result(catching: body)
            done.signal()
        }
        thread.start()
    }

    /// The value, or the error the work threw (waits until it is done).
    func value() throws -> Value {
        done.wait()
        done.signal()  // so that a second call does not wait forever
        return try result!.get()
    }
}
