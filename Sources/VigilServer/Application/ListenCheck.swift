import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks that the server's address can be listened on before the store is opened and recovered, so a port
/// in use is said at once, in words, with the fix — not as a raw `bind` error after a long recovery.
public enum ListenCheck {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds and releases `host:port` (port 0, "any free port", is not checked).
    public static func check(host: String, port: Int) throws(Unavailable) {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw Unavailable(
                description:
                    "cannot listen on \(host): the address does not resolve; use an IP address such as 127.0.0.1 or 0.0.0.0 with --host"
            )
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }  // no socket to try with: let the server report what it finds
        defer { close(fd) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        switch errno {
        case EADDRINUSE:
            throw Unavailable(
                description:
                    "port \(port) on \(host) is already in use (another vigil serve?): stop that process, or choose another port with --port"
            )
        case EACCES:
            throw Unavailable(
                description: "port \(port) needs privileges to listen on: choose a port above 1023 with --port")
        case EADDRNOTAVAIL:
            throw Unavailable(
                description:
                    "\(host) is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its own addresses with --host"
            )
        case let code:
            throw Unavailable(description: "cannot listen on \(host):\(port): \(String(cString: strerror(code)))")
        }
    }
}
