import Testing
import VigilCore

struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0),
        ("2020-02-29T23:59:59Z", 1_583_020_799_000),
        ("2020-02-01T00:00:00.250Z", 1_580_515_200_250),
        ("2020-02-01T01:00:00+01:00", 1_580_515_200_000),
        ("2020-02-01 00:00:00", 1_580_515_200_000),
        ("1969-12-31T23:59:59Z", -1000),
    ])
    func parses(text: String, milliseconds: Int64) throws {
        #expect(try Timestamp(iso8601: text).milliseconds == milliseconds)
    }

    @Test(arguments: [
        "2020-02-30T00:00:00Z", "2020-13-01T00:00:00Z", "2020-02-01", "2020-02-01T00:00:00Q", "garbage",
        "2020-02-01T24:00:00Z",
    ])
    func rejects(text: String) {
        #expect(throws: TimestampError.self) { try Timestamp(iso8601: text) }
    }

    @Test func formatsRoundTrip() throws {
        for text in ["2020-02-01T00:09:36Z", "1999-12-31T23:59:59.001Z", "1969-07-20T20:17:40Z"] {
            #expect(try Timestamp(iso8601: text).iso8601 == text)
        }
    }

    @Test func durations() throws {
        #expect(try Duration(window: "30d") == .seconds(30 * 86_400))
        #expect(try Duration(window: "15m").milliseconds == 900_000)
        #expect(throws: DurationError.self) { try Duration(window: "3y") }
        #expect(throws: DurationError.self) { try Duration(window: "-1d") }
    }
}
