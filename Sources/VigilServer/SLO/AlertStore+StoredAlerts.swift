import HTTPTypes
import VigilCore
import VigilStore

extension AlertStore {
    /// Stored alerts, most recently updated first, with a storage failure as a 500 the client can read.
    func storedAlerts(states: Set<Alert.State>? = nil, slo: String? = nil, limit: Int = 1000) async throws(APIError)
        -> [Alert]
    {
        do {
            return try await alerts(states: states, slo: slo, limit: limit)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read alerts: \(error)")
        }
    }
}
