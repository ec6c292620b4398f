import VigilStore

/// Reads and writes of pipeline state (runs, gates, checks) for the routes: a store that refuses (disk full,
/// read-only) is a 503 to retry, a new job or gate past the store's limits a 400; nothing was recorded.
enum PipelineStore {
    static func read<T>(_ body: () async throws -> T) async throws(APIError) -> T {
        do { return try await body() } catch { throw failed(error) }
    }

    static func write<T>(_ body: () async throws -> T) async throws(APIError) -> T {
        do { return try await body() } catch { throw failed(error) }
    }

    static func failed(_ error: any Error) -> APIError {
        if let limit = error as? PipelineLimitReached {
            return .badRequest("limit_exceeded", "\(limit.field): \(limit.message)")
        }
        if let limit = error as? FlagLimitReached { return .badRequest("limit_exceeded", limit.message) }
        return APIError.unavailable("the store could not record or read pipeline state: \(error)")
    }
}
