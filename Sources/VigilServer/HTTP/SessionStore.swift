import Foundation
import Synchronization

/// Browser sessions for the dashboard: a read token typed into the sign-in page becomes a random session id
/// in an `HttpOnly`, `SameSite=Strict` cookie, so the token never sits in the page or in JavaScript's reach.
///
/// Sessions grant `read` only, whatever the token's scope: a cookie is sent by the browser on its own, so it
/// must never authorize a write (cross-site request forgery). They live in memory (a restart signs everyone
/// out), expire after ``lifetime``, and at most ``capacity`` are held (the oldest is dropped first).
final class SessionStore: Sendable {
    static let cookieName = "vigil_session"
    let lifetime: Duration
    let capacity: Int
    private let sessions = Mutex<[String: ContinuousClock.Instant]>([:])

    init(lifetime: Duration = .seconds(12 * 3600), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// A new session id (256 random bits, hex).
    func create() -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        let expiry = ContinuousClock.now + lifetime
        sessions.withLock { sessions in
            if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value < $1.value })?.key {
                sessions[oldest] = nil
            }
            sessions[id] = expiry
        }
        return id
    }

    /// Whether `id` is a live session.
    func isValid(_ id: String) -> Bool {
        sessions.withLock { sessions in
            guard let expiry = sessions[id] else { return false }
            guard ContinuousClock.now < expiry else {
                sessions[id] = nil
                return false
            }
            return true
        }
    }

    func remove(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

    /// The session id in a `Cookie` header, if any.
    static func id(inCookieHeader header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
        }
        return nil
    }
}
