/// The coding key the term coders make themselves: list indices, dictionary keys, `super`.
struct TermCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }

    /// The key of the element at `index` of a list.
    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    /// The key of a dictionary entry: the integer or string itself when it is one.
    init<Key>(dictionaryKey: Key) {
        if let string = dictionaryKey as? String {
            self.init(stringValue: string)
        } else if let int = dictionaryKey as? Int {
            self.init(intValue: int)
        } else {
            self.init(stringValue: String(describing: dictionaryKey))
        }
    }

    /// The key of a map entry, named after the map key.
    init(mapKey: Term) {
        switch mapKey {
        case .atom(let atom): self.init(stringValue: atom.name)
        case .integer(let int): self.init(intValue: int)
        case .binary: self.init(stringValue: mapKey.stringValue ?? mapKey.description)
        default: self.init(stringValue: mapKey.description)
        }
    }

    /// The key `super`, used by `superEncoder()` and `superDecoder()`.
    static let superKey = TermCodingKey(stringValue: "super")

    /// Renders a coding path as Swift would access it: `shapes[1].radius`.
    static func describe(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "(top level)" }
        var text = ""
        for key in path {
            if let int = key.intValue,
                key.stringValue == "Index \(int)" || key.stringValue == String(int)
            {
                text += "[\(int)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}
