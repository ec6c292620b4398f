/// Splits a metric expression into tokens.
struct Lexer {
    static func tokenize(_ source: String) throws(ExpressionError) -> [Token] {
        let chars = Array(source.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdentBody(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
            } else if ("0"..."9").contains(c) || (c == "." && i + 1 < chars.count && ("0"..."9").contains(chars[i + 1]))
            {
                var j = i
                while j < chars.count, ("0"..."9").contains(chars[j]) || chars[j] == "." { j += 1 }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, ("0"..."9").contains(chars[k]) {
                        j = k
                        while j < chars.count, ("0"..."9").contains(chars[j]) { j += 1 }
                    }
                }
                let text = String(String.UnicodeScalarView(chars[i..<j]))
                guard let value = Double(text) else {
                    throw ExpressionError("invalid number '\(text)'", column: column, source: source)
                }
                tokens.append(Token(kind: .number(value), column: column))
                i = j
            } else if c == "'" || c == "\"" {
                var j = i + 1
                var text = String.UnicodeScalarView()
                while j < chars.count, chars[j] != c {
                    text.append(chars[j])
                    j += 1
                }
                guard j < chars.count else {
                    throw ExpressionError("unterminated string", column: column, source: source)
                }
                tokens.append(Token(kind: .string(String(text)), column: column))
                i = j + 1
            } else if isIdentStart(c) {
                var j = i
                while j < chars.count, isIdentBody(chars[j]) { j += 1 }
                tokens.append(Token(kind: .identifier(String(String.UnicodeScalarView(chars[i..<j]))), column: column))
                i = j
            } else {
                let two = i + 1 < chars.count ? String(c) + String(chars[i + 1]) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    tokens.append(Token(kind: .symbol(two), column: column))
                    i += 2
                } else if "+-*/(),.<>".unicodeScalars.contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), column: column))
                    i += 1
                } else if c == "=" {
                    throw ExpressionError("unexpected '=': use '==' to compare", column: column, source: source)
                } else {
                    throw ExpressionError("unexpected character '\(c)'", column: column, source: source)
                }
            }
        }
        tokens.append(Token(kind: .end, column: chars.count + 1))
        return tokens
    }
}
