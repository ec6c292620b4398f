/// A recursive-descent parser for metric expressions.
///
/// Grammar, loosest binding first:
/// ```
/// or   := and ('or' and)*
/// and  := not ('and' not)*
/// not  := 'not' not | cmp
/// cmp  := add (('==' | '!=' | '<' | '<=' | '>' | '>=') add)?
/// add  := mul (('+' | '-') mul)*
/// mul  := unary (('*' | '/') unary)*
/// unary:= '-' unary | primary
/// primary := number | string | 'true' | 'false' | 'null' | name ('.' name)* | name '(' args ')' | '(' or ')'
/// ```
struct Parser {
    private let tokens: [Token]
    private let source: String
    private var position = 0

    static func parse(_ source: String) throws(ExpressionError) -> SyntaxNode {
        var parser = Parser(tokens: try Lexer.tokenize(source), source: source)
        let node = try parser.parseOr()
        guard case .end = parser.current.kind else {
            throw parser.error("unexpected '\(parser.current.text)' after a complete expression")
        }
        return node
    }

    private init(tokens: [Token], source: String) {
        self.tokens = tokens
        self.source = source
    }

    private var current: Token { tokens[position] }

    private func error(_ message: String, at column: Int? = nil) -> ExpressionError {
        ExpressionError(message, column: column ?? current.column, source: source)
    }

    private mutating func take(symbol: String) -> Bool {
        if case .symbol(symbol) = current.kind {
            position += 1
            return true
        }
        return false
    }

    private mutating func take(keyword: String) -> Token? {
        if case .identifier(let name) = current.kind, name == keyword {
            defer { position += 1 }
            return current
        }
        return nil
    }

    private mutating func parseOr() throws(ExpressionError) -> SyntaxNode {
        var left = try parseAnd()
        while let op = take(keyword: "or") { left = .binary("or", left, try parseAnd(), column: op.column) }
        return left
    }

    private mutating func parseAnd() throws(ExpressionError) -> SyntaxNode {
        var left = try parseNot()
        while let op = take(keyword: "and") { left = .binary("and", left, try parseNot(), column: op.column) }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> SyntaxNode {
        if let op = take(keyword: "not") { return .unary("not", try parseNot(), column: op.column) }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(ExpressionError) -> SyntaxNode {
        let left = try parseAdditive()
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            let column = current.column
            if take(symbol: op) { return .binary(op, left, try parseAdditive(), column: column) }
        }
        return left
    }

    private mutating func parseAdditive() throws(ExpressionError) -> SyntaxNode {
        var left = try parseMultiplicative()
        while true {
            let column = current.column
            if take(symbol: "+") {
                left = .binary("+", left, try parseMultiplicative(), column: column)
            } else if take(symbol: "-") {
                left = .binary("-", left, try parseMultiplicative(), column: column)
            } else {
                return left
            }
        }
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> SyntaxNode {
        var left = try parseUnary()
        while true {
            let column = current.column
            if take(symbol: "*") {
                left = .binary("*", left, try parseUnary(), column: column)
            } else if take(symbol: "/") {
                left = .binary("/", left, try parseUnary(), column: column)
            } else {
                return left
            }
        }
    }

    private mutating func parseUnary() throws(ExpressionError) -> SyntaxNode {
        let column = current.column
        if take(symbol: "-") { return .unary("-", try parseUnary(), column: column) }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> SyntaxNode {
        let token = current
        switch token.kind {
        case .number(let v):
            position += 1
            return .number(v, column: token.column)
        case .string(let s):
            position += 1
            return .string(s, column: token.column)
        case .symbol("("):
            position += 1
            let inner = try parseOr()
            guard take(symbol: ")") else { throw error("expected ')' to close the '(' at column \(token.column)") }
            return inner
        case .identifier(let name):
            position += 1
            switch name {
            case "true": return .number(1, column: token.column)
            case "false": return .number(0, column: token.column)
            case "null": return .null(column: token.column)
            case "and", "or", "not": throw error("expected a value before '\(name)'", at: token.column)
            default: break
            }
            if take(symbol: "(") { return .call(name, try parseArguments(), column: token.column) }
            var parts = [name]
            while take(symbol: ".") {
                guard case .identifier(let part) = current.kind else {
                    throw error("expected a name after '.', found '\(current.text)'")
                }
                parts.append(part)
                position += 1
            }
            return .name(parts, column: token.column)
        case .symbol(let s):
            throw error("expected a value, found '\(s)'")
        case .end:
            throw error("expected a value, found the end of the expression")
        }
    }

    private mutating func parseArguments() throws(ExpressionError) -> [SyntaxNode] {
        var arguments: [SyntaxNode] = []
        if take(symbol: ")") { return arguments }
        repeat { arguments.append(try parseOr()) } while take(symbol: ",")
        guard take(symbol: ")") else {
            throw error("expected ',' or ')' in the argument list, found '\(current.text)'")
        }
        return arguments
    }
}
