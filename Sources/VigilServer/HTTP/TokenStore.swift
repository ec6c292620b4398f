import Crypto
import Foundation

/// What a token may do.
public enum Scope: String, Sendable, CaseIterable {
    /// Query routes (`GET`).
    case read
    /// Ingest and definitions (`POST`, `PUT`, `DELETE`); also grants `read`.
    case write
}

/// Bearer tokens, kept only as SHA-256 digests and compared in constant time.
///
/// Tokens are configured as `SCOPE:SECRET` (`write:s3cr3t`), e.g. `VIGIL_TOKENS="write:abc,read:def"`.
/// Secrets should be long random strings (`openssl rand -hex 32`): a fast hash is then enough, as for
/// API keys, and the plaintext never stays in memory past start-up.
public struct TokenStore: Sendable {
    struct Entry: Sendable {
        var digest: [UInt8]
        var scope: Scope
    }

    private var entries: [Entry] = []
    /// The first secret configured, kept so that a node of a cluster can read its peers' shards
    /// (`GET /v1/cluster/shards/{k}`): the one plaintext kept past start-up.
    public private(set) var peerSecret: String?

    public init() {}

    /// Parses a comma-separated list of `SCOPE:SECRET`.
    public init(parsing list: String) throws(TokenError) {
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            try add(item)
        }
    }

    public var isEnabled: Bool { !entries.isEmpty }

    /// Adds one `SCOPE:SECRET`.
    public mutating func add(_ spec: String) throws(TokenError) {
        guard let colon = spec.firstIndex(of: ":"), let scope = Scope(rawValue: String(spec[..<colon])) else {
            throw TokenError(message: "token must be SCOPE:SECRET with SCOPE read or write")
        }
        let secret = spec[spec.index(after: colon)...]
        guard secret.count >= 8 else { throw TokenError(message: "token secrets must be at least 8 characters") }
        entries.append(Entry(digest: Self.digest(String(secret)), scope: scope))
        if peerSecret == nil { peerSecret = String(secret) }
    }

    static func digest(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }

    /// The scope of a presented token, or `nil` if it matches none. Every stored digest is compared in
    /// full, so timing reveals neither which token matched nor how much of one did.
    func scope(of presented: String) -> Scope? {
        let d = Self.digest(presented)
        var found: Scope?
        for e in entries {
            var difference: UInt8 = 0
            for i in 0..<d.count { difference |= d[i] ^ e.digest[i] }
            if difference == 0 { found = e.scope }
        }
        return found
    }
}

public struct TokenError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension TokenStore: CustomStringConvertible {
    /// How many tokens, never the peer secret (the derived description would print it).
    public var description: String { "TokenStore(\(entries.count) token\(entries.count == 1 ? "" : "s"))" }
}
