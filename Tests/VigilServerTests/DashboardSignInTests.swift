import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilServer

/// With tokens on, a browser signs in with a read token and gets a read-only, HttpOnly, SameSite=Strict
/// session; pages carry a Content-Security-Policy; the API still wants bearer tokens.
@Suite struct DashboardSignInTests {
    static func form(_ fields: String) -> ByteBuffer { ByteBuffer(string: fields) }

    @Test func aBrowserSignsInWithAReadTokenAndCannotWriteWithTheCookie() async throws {
        let harness = try ServerHarness(tokens: "\(ServerHarness.readToken),\(ServerHarness.writeToken)")
        defer { harness.remove() }
        try await harness.run { client in
            // A page without credentials sends the browser to the sign-in form, remembering where it was going.
            let page = try await client.execute(uri: "/models/m?range=7d", method: .get, headers: [:], body: nil)
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/signin?next=%2Fmodels%2Fm%3Frange%3D7d")
            // The API still answers 401 with a challenge.
            let api = try await client.execute(uri: "/v1/models", method: .get, headers: [:], body: nil)
            #expect(api.status == .unauthorized)

            let signin = try await client.execute(
                uri: "/signin?next=%2Fmodels%2Fm", method: .get, headers: [:], body: nil)
            #expect(signin.status == .ok)
            #expect(String(buffer: signin.body).contains(#"name="next" value="/models/m""#))

            let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await client.execute(
                uri: "/signin", method: .post, headers: formHeaders, body: Self.form("token=nope&next=%2F"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)

            let ok = try await client.execute(
                uri: "/signin", method: .post, headers: formHeaders,
                body: Self.form("token=test-reader-secret&next=%2Fmodels%2Fm"))
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/models/m")
            let cookie = try #require(ok.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            let session = String(cookie.prefix { $0 != ";" })
            #expect(session.hasPrefix("vigil_session=") && session.count == "vigil_session=".count + 64)

            let overview = try await client.execute(uri: "/", method: .get, headers: [.cookie: session], body: nil)
            #expect(overview.status == .ok)
            let csp = try #require(overview.headers[.contentSecurityPolicy])
            #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"))
            #expect(csp.contains("frame-ancestors 'none'"))
            let models = try await client.execute(
                uri: "/v1/models", method: .get, headers: [.cookie: session], body: nil)
            #expect(models.status == .ok)
            // The cookie never authorizes a write (a browser sends it on its own: cross-site request forgery).
            let write = try await client.execute(
                uri: "/v1/predictions", method: .post, headers: [.cookie: session],
                body: ByteBuffer(string: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":0.5}"#))
            #expect(write.status == .forbidden)

            let out = try await client.execute(uri: "/signout", method: .post, headers: [.cookie: session], body: nil)
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: session], body: nil)
            #expect(after.status == .seeOther)
        }
    }

    @Test(arguments: ["//evil.example/", "https://evil.example/", "/\\evil", "models"])
    func signInNeverRedirectsOffTheServer(next: String) async throws {
        let harness = try ServerHarness(tokens: ServerHarness.readToken)
        defer { harness.remove() }
        try await harness.run { client in
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let ok = try await client.execute(
                uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=test-reader-secret&next=\(encoded)"))
            #expect(ok.headers[.location] == "/")
        }
    }

    /// The hash in the policy is the inline script's, so browsers run it (computed here from the page itself).
    @Test func thePolicyHashMatchesTheInlineScript() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let page = try await client.execute(uri: "/", method: .get, headers: [:], body: nil)
            let html = String(buffer: page.body)
            let script = try #require(html.range(of: "<script>")).upperBound
            let end = try #require(html.range(of: "</script>", range: script..<html.endIndex)).lowerBound
            let digest = Data(SHA256.hash(data: Data(html[script..<end].utf8))).base64EncodedString()
            #expect(page.headers[.contentSecurityPolicy]?.contains("'sha256-\(digest)'") == true)
        }
    }
}
