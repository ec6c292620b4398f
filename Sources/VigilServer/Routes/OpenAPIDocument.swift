import Foundation
import Hummingbird
import NIOCore

/// The API description shipped with the server (`Sources/VigilServer/Resources/openapi.yaml`).
enum OpenAPIDocument {
    static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "yaml").flatMap {
        try? String(contentsOf: $0, encoding: .utf8)
    }

    static func response() -> Response {
        guard let text else {
            return APIError(.internalServerError, "internal", "openapi.yaml missing from the build").makeResponse()
        }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
