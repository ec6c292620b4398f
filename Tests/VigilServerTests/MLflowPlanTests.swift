import Foundation
import Testing
import VigilCore
@testable import VigilServer

/// The sync's plan from registry answers as MLflow's REST API writes them (newest version first).
@Suite struct MLflowPlanTests {
    static func decode<T: Decodable>(_ json: String) -> T { try! JSONDecoder().decode(T.self, from: Data(json.utf8)) }

    @Test func whenTwoVersionsCarryPrimaryAliasesTheNewestIsThePrimary() {
        let registered: MLflowRecords.RegisteredModel = Self.decode(
            #"{"name": "fraud", "aliases": [{"alias": "champion", "version": "2"}, {"alias": "production", "version": "10"}]}"#)
        let page: MLflowRecords.VersionsPage = Self.decode(
            #"{"model_versions": [{"name": "fraud", "version": "10"}, {"name": "fraud", "version": "2"}, {"name": "fraud", "version": "1"}]}"#)
        let sync = MLflowSync(trackingURI: "http://unused")
        let plan = sync.plan(registered, page.modelVersions ?? [], current: [], mlflowModel: "fraud")
        #expect(plan.map(\.version) == ["2", "10"])
        #expect(plan.map(\.stage) == [.canary, .primary])
    }
}
