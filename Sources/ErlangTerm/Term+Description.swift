extension Term: CustomStringConvertible {
    /// The term in Erlang syntax, close to what `io:format("~p")` prints.
    public var description: String {
        switch self {
        case .atom(let a): return a.description
        case .integer(let i): return String(i)
        case .bigInteger(let b): return b.description
        case .float(let f): return Term.floatText(f)
        case .binary(let bytes): return Term.binaryText(bytes)
        case .bitstring(let b): return b.description
        case .list(let l):
            if !l.isEmpty, let text = Term.printableCharlist(l) { return text }
            return "[" + l.map(\.description).joined(separator: ",") + "]"
        case .improperList(let l, let tail):
            return "[" + l.map(\.description).joined(separator: ",") + "|" + tail.description + "]"
        case .tuple(let t): return "{" + t.map(\.description).joined(separator: ",") + "}"
        case .map(let m): return m.description
        case .pid(let p): return p.description
        case .port(let p): return p.description
        case .reference(let r): return r.description
        case .export(let e): return e.description
        case .fun(let f): return f.description
        case .local(let bytes): return "#LocalExt<\(bytes.count) bytes>"
        }
    }

    private static func floatText(_ f: Double) -> String {
        let text = f.description
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    private static func binaryText(_ bytes: [UInt8]) -> String {
        if let s = String(validating: bytes, as: UTF8.self),
            s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0 != "\u{7F}" || $0 == "\n" || $0 == "\t" })
        {
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "<<\"" + escaped + "\">>"
        }
        return "<<" + bytes.map(String.init).joined(separator: ",") + ">>"
    }

    private static func printableCharlist(_ l: [Term]) -> String? {
        var scalars = String.UnicodeScalarView()
        for t in l {
            guard case .integer(let i) = t, (0x20..<0x7F).contains(i), let s = Unicode.Scalar(i) else { return nil }
            scalars.append(s)
        }
        return "\"" + String(scalars) + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
