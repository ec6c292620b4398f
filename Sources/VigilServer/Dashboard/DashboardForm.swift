import Foundation
import HTTPTypes
import Hummingbird

/// Reads a form the dashboard posts back to itself (declaring or deleting a model), guarded against the two
/// ways a browser can be made to write on someone's behalf:
///
/// - cross-site request forgery: a post whose `Origin` is another site, or that the browser marks
///   `Sec-Fetch-Site: cross-site`/`same-site`, is refused (403) — with or without tokens, since a server
///   without tokens on loopback is exactly what a hostile page would target;
/// - the session cookie: it only reads (``SessionStore``), so with tokens on, a form must carry a `write` token
///   typed into it (`token`), which the browser never sends on its own.
struct DashboardForm {
    /// Forms hold a few names and a description: 64 KiB is plenty.
    static let maxBytes = 64 * 1024

    let fields: [String: String]

    init(_ request: Request, tokens: TokenStore, timeout: Duration) async throws(APIError) {
        try Self.requireSameOrigin(request)
        let body = try await RequestBody.collect(request, limit: Self.maxBytes, timeout: timeout)
        fields = Self.fields(String(buffer: body))
        if tokens.isEnabled {
            guard let token = fields["token"], !token.isEmpty else {
                throw APIError(
                    .forbidden, "forbidden", "enter a write token: signing in lets the dashboard read, not change")
            }
            guard tokens.scope(of: token) == .write else {
                throw APIError(.forbidden, "forbidden", "that is not a write token for this server")
            }
        }
    }

    /// 403 unless the post comes from a page of this server (or from a tool that is not a browser, which sends
    /// neither header and cannot be forged into posting).
    static func requireSameOrigin(_ request: Request) throws(APIError) {
        if let site = request.headers[.secFetchSite], site != "same-origin", site != "none" {
            throw APIError(.forbidden, "cross_site", "a form from another site (\(site)) cannot change this server")
        }
        guard let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? ""
        let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        guard originHost == host else {
            throw APIError(
                .forbidden, "cross_site", "a form from \(origin.prefix(128)) cannot change this server (\(host.prefix(128)))")
        }
    }

    /// `application/x-www-form-urlencoded` fields (`+` is a space).
    static func fields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let origin = Self("Origin")!
}
