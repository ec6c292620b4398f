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

    @Test func partsReadTheSameRecordsAsTheWholeFile() throws {
        var text = "\u{FEFF}id,x\n"
        for k in 0..<1000 { text += k % 97 == 0 ? "p\(k),\(k)\r\n\n" : "p\(k),\(k)\n" }
        let bytes = Array(text.utf8)
        var whole: [Record] = []
        CSVReader.forEachRecord(bytes) { whole.append(Record(line: $0, fields: $1, end: $2)) }
        #expect(whole.count == 1001 && whole.last?.line == 1012)
        for count in [1, 2, 3, 7] {
            let parts = try #require(CSVReader.parts(bytes, count: count))
            #expect(parts.count == count)
            #expect(parts.first?.range.lowerBound == 0 && parts.last?.range.upperBound == bytes.count)
            #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.range.upperBound == $1.range.lowerBound })
            var read: [Record] = []
            for part in parts {
                CSVReader.forEachRecord(bytes, in: part) { read.append(Record(line: $0, fields: $1, end: $2)) }
            }
            #expect(read == whole, "\(count) parts")
        }
        #expect(CSVReader.firstRecord(bytes) == ["id", "x"])
    }

    @Test func aFileWithQuotesIsNotSplit() {
        #expect(CSVReader.parts(Array("a,b\n\"x\ny\",1\n2,3\n".utf8), count: 2) == nil)
        #expect(CSVReader.parts(Array("a,b\n".utf8), count: 4)?.count == 1)
    }

    /// A reference whose header repeats a name is refused with both columns named, not read with one of them.
    @Test func repeatedHeaderNameIsRefused() throws {
        #expect(CSVReader.headerProblem(["a", "b", "c"]) == nil)
        #expect(
            CSVReader.headerProblem(["a", "b", "a", "b"])
                == "column 'a' appears twice in the header (columns 1 and 3); rename one")
        #expect {
            try ReferenceTable(bytes: Array("x,y,x\n1,2,3\n".utf8))
        } throws: { error in
            "\(error)" == "line 1: column 'x' appears twice in the header (columns 1 and 3); rename one"
        }
    }
}
