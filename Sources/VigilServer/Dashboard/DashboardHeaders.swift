import Crypto
import Foundation
import HTTPTypes

/// The headers every HTML page is sent with: a Content-Security-Policy that allows only this server's own
/// content and the one inline script the pages carry (by its hash), and the usual hardening headers.
enum DashboardHeaders {
    /// `default-src 'none'`, then what the pages use: inline styles and SVG, the auto-refresh script (pinned by
    /// its SHA-256), forms posting back here, no framing.
    static let contentSecurityPolicy: String = {
        let script = inlineScriptHash.map { "'sha256-\($0)'" } ?? "'none'"
        return [
            "default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' data:", "script-src \(script)",
            "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
        ].joined(separator: "; ")
    }()

    /// Base64 SHA-256 of the script in `base.mustache`, as CSP hashes it (the exact text between the tags).
    static let inlineScriptHash: String? = {
        guard let url = Bundle.module.url(forResource: "base", withExtension: "mustache", subdirectory: "dashboard"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let open = text.range(of: "<script>"),
            let close = text.range(of: "</script>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return Data(SHA256.hash(data: Data(text[open.upperBound..<close.lowerBound].utf8))).base64EncodedString()
    }()

    static func html(_ status: HTTPResponse.Status = .ok) -> HTTPFields {
        [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            .referrerPolicy: "same-origin", .xFrameOptions: "DENY",
        ]
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
