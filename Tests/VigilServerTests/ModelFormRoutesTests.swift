import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilServer

/// The dashboard's forms declare, change and delete a model as the API does; a delete needs the name typed
/// again; a post from another site is refused; with tokens on, a signed-in browser still needs a write token
/// typed into the form.
@Suite struct ModelFormRoutesTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func post(
        _ client: some TestClientProtocol, _ uri: String, _ fields: String, headers: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, String, String?) {
        var all = form
        all.append(contentsOf: headers)
        let response = try await client.execute(uri: uri, method: .post, headers: all, body: ByteBuffer(string: fields))
        return (response.status, String(buffer: response.body), response.headers[.location])
    }

    @Test func theFormsDeclareChangeAndDeleteAModel() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (status, _, location) = try await Self.post(
                client, "/models", "name=trip+type&task=multiclass&classes=cash%2C+card%0Adispute&owner=fares&description=Which+payment%3F")
            #expect(status == .seeOther && location == "/models/trip%20type/settings?saved=1")
            let model = try await client.send(.get, "/v1/models/trip%20type").1
            #expect(model["task"] as? String == "multiclass" && model["classes"] as? [String] == ["cash", "card", "dispute"])
            #expect(model["owner"] as? String == "fares" && model["description"] as? String == "Which payment?")
            let page = try await client.text("/models/trip%20type/settings?saved=1")
            #expect(page.contains(#"data-k="saved""#) && page.contains(#"<td data-k="classes">cash, card, dispute</td>"#))

            // An empty owner clears it; the description is kept as typed.
            #expect(try await Self.post(client, "/models/trip%20type/settings", "task=multiclass&classes=cash,card,dispute&owner=&description=d").0 == .seeOther)
            let changed = try await client.send(.get, "/v1/models/trip%20type").1
            #expect(changed["owner"] == nil && changed["description"] as? String == "d", "\(changed)")

            // A refused form comes back as typed, with the API's status and message.
            let (conflict, shown, _) = try await Self.post(client, "/models/trip%20type/settings", "task=binary&owner=someone")
            #expect(conflict == .conflict)
            #expect(shown.contains("already multiclass, not binary") && shown.contains(#"name="owner" value="someone""#))
            let (missing, overview, _) = try await Self.post(client, "/models", "name=&task=binary")
            #expect(missing == .badRequest && overview.contains("name: missing or empty"))

            // Deleting needs the name typed exactly.
            let (unconfirmed, refused, _) = try await Self.post(client, "/models/trip%20type/delete", "confirm=trip")
            #expect(unconfirmed == .badRequest && refused.contains(#"data-k="delete-error""#))
            #expect(try await client.send(.get, "/v1/models/trip%20type").0 == .ok)
            let (deleted, _, next) = try await Self.post(
                client, "/models/trip%20type/delete", "confirm=trip+type", headers: [.origin: "http://localhost"])
            #expect(deleted == .seeOther && next == "/?deleted=trip%20type")
            #expect(try await client.send(.get, "/v1/models/trip%20type").0 == .notFound)
            #expect(try await client.text("/?deleted=trip%20type").contains(#"data-k="deleted""#))
        }
    }

    @Test func aPostFromAnotherSiteIsRefused() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            for headers: HTTPFields in [[.origin: "https://attacker.example"], [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]] {
                let (status, page, _) = try await Self.post(client, "/models", "name=victim&task=binary", headers: headers)
                #expect(status == .forbidden && page.contains("cannot change this server"), "\(headers)")
            }
            #expect(try await client.send(.get, "/v1/models/victim").0 == .notFound)
        }
    }

    @Test func withTokensAFormNeedsAWriteTokenTypedIntoIt() async throws {
        let harness = try ServerHarness(tokens: "\(ServerHarness.readToken),\(ServerHarness.writeToken)")
        defer { harness.remove() }
        try await harness.run { client in
            // Without a session the post is not even read.
            #expect(try await Self.post(client, "/models", "name=m&task=binary").0 == .unauthorized)
            let cookie = try await client.execute(
                uri: "/signin", method: .post, headers: Self.form, body: ByteBuffer(string: "token=test-reader-secret&next=%2F")
            ).headers[.setCookie].map { String($0.prefix { $0 != ";" }) }
            let headers: HTTPFields = [.cookie: try #require(cookie)]
            let page = try await client.text("/", headers: headers)
            #expect(page.contains(#"name="token""#), "the form asks for a write token")

            let (none, noneText, _) = try await Self.post(client, "/models", "name=m&task=binary", headers: headers)
            #expect(none == .forbidden && noneText.contains("enter a write token"))
            let (read, _, _) = try await Self.post(client, "/models", "name=m&task=binary&token=test-reader-secret", headers: headers)
            #expect(read == .forbidden)
            let (write, _, _) = try await Self.post(client, "/models", "name=m&task=binary&token=test-writer-secret", headers: headers)
            #expect(write == .seeOther)
            #expect(try await client.send(.get, "/v1/models/m", headers: ServerHarness.readHeaders).1["task"] as? String == "binary")
        }
    }
}
