import Testing
import VigilCore

/// The CSV tokenizer on what real files hold: quoted commas, quotes and newlines, `\r\n` line ends, a BOM,
/// blank lines, empty and missing last fields — each record with the line it starts on and its end offset.
struct CSVReaderTests {
    struct Record: Equatable {
        var line: Int
        var fields: [String]
        var end: Int
    }

    static func records(_ text: String) -> [Record] {
        var out: [Record] = []
        CSVReader.forEachRecord(Array(text.utf8)) { out.append(Record(line: $0, fields: $1, end: $2)) }
        return out
    }

    @Test func plainRecordsWithTheirLinesAndEnds() {
        #expect(
            Self.records("id,x\np1,2.5\np2,\n")
                == [
                    Record(line: 1, fields: ["id", "x"], end: 5), Record(line: 2, fields: ["p1", "2.5"], end: 12),
                    Record(line: 3, fields: ["p2", ""], end: 16),
                ])
    }

    @Test func quotedFieldsHoldCommasQuotesAndNewlines() {
        let text = "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,\"\"\n"
        #expect(
            Self.records(text) == [
                Record(line: 1, fields: ["a", "b"], end: 4),
                Record(line: 2, fields: ["x, y", "say \"hi\""], end: 24),
                Record(line: 3, fields: ["two\nlines", "z"], end: 38),
                Record(line: 5, fields: ["last", ""], end: 46),
            ])
    }

    @Test func carriageReturnsBlankLinesBOMAndNoFinalNewline() {
        let text = "\u{FEFF}a,b\r\n\r\n1,\"q\r\"\r\n\n2,x\r3"
        #expect(
            Self.records(text) == [
                Record(line: 1, fields: ["a", "b"], end: 8),
                Record(line: 3, fields: ["1", "q\r"], end: 18),
                Record(line: 5, fields: ["2", "x3"], end: 24),
            ])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsText() {
        #expect(Self.records("5\" screen,a\"b\n") == [Record(line: 1, fields: ["5\" screen", "a\"b"], end: 14)])
        #expect(Self.records("x,") == [Record(line: 1, fields: ["x", ""], end: 2)])
        #expect(Self.records("\"open,\nquote") == [Record(line: 1, fields: ["open,\nquote"], end: 12)])
    }
}
