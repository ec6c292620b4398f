import Testing
import HummingbirdTesting
@Test func placeholderServer() { #expect(1 == 1) }
