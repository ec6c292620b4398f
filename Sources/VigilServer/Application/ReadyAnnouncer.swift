import Logging
import Synchronization

/// Logs `ready` once, when the server both listens and has recovered — the line to wait for, whichever of
/// the two happens last (the listener starts at once; recovery may take a while on a long log).
final class ReadyAnnouncer: Sendable {
    private struct State {
        var url: String?
        var recovered = false
        var said = false
    }

    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// The server listens at `url`.
    func listening(at url: String) { update { $0.url = url } }

    /// The engine is rebuilt and writes are taken.
    func recovered() { update { $0.recovered = true } }

    private func update(_ change: (inout State) -> Void) {
        let url: String? = state.withLock { s in
            change(&s)
            guard s.recovered, let url = s.url, !s.said else { return nil }
            s.said = true
            return url
        }
        if let url { logger.notice("ready", metadata: ["url": "\(url)"]) }
    }
}
