import Testing

@testable import ColonyData

@Suite("CRDT semantics")
struct CRDTSemanticsTests {
    let a = ReplicaID(node: "a@host", incarnation: 1)
    let b = ReplicaID(node: "b@host", incarnation: 1)

    @Test("counters sum every replica's updates")
    func counters() {
        var x = PNCounter()
        var y = PNCounter()
        x.increment(by: 5, at: a)
        y.increment(by: 3, at: b)
        y.decrement(by: 1, at: b)
        x.merge(y)
        #expect(x.value == 7)
        var g = GCounter()
        let delta = g.increment(by: 4, at: a)
        #expect(delta.value == 4 && g.value == 4)
    }

    @Test("an add concurrent with a remove wins; a late old add does not resurrect")
    func orSetAddWins() {
        var x = ORSet<String>()
        let added = x.insert("e", at: a)
        var y = x
        let removed = y.remove("e")
        let again = x.insert("e", at: a)
        var z = ORSet<String>()
        z.merge(removed)
        z.merge(again)
        #expect(z.contains("e"), "the concurrent add wins")

        var w = ORSet<String>()
        w.merge(removed)
        w.merge(added)
        #expect(!w.contains("e"), "the removed add arriving after its remove stays removed")
        #expect(w.count == 0)
    }

    @Test("concurrent register writes: LWW keeps the later, MV keeps both until overwritten")
    func registers() {
        var x = LWWRegister<Int>()
        var y = LWWRegister<Int>()
        x.set(1, at: a) { _, _ in 10 }
        y.set(2, at: b) { _, _ in 20 }
        #expect(x.merging(y).value == 2 && y.merging(x).value == 2)

        var m = MVRegister<String>()
        var n = MVRegister<String>()
        m.set("left", at: a)
        n.set("right", at: b)
        m.merge(n)
        #expect(Set(m.values) == ["left", "right"])
        m.set("resolved", at: a)
        n.merge(m)
        #expect(n.values == ["resolved"])
    }

    @Test("an ORMap update concurrent with a remove keeps the key")
    func orMap() {
        var x = PNCounterMap<String>()
        x.increment("hits", by: 2, at: a)
        var y = x
        y.removeValue(forKey: "hits")
        #expect(y["hits"] == nil)
        x.increment("hits", by: 1, at: a)
        y.merge(x)
        #expect(y["hits"] == 3)
        var lww = LWWMap<String, String>()
        lww.put("k", "v", at: a)
        #expect(lww["k"] == "v" && lww.count == 1)
        lww.removeValue(forKey: "k")
        #expect(lww["k"] == nil && lww.keys.isEmpty)
    }

    @Test("a flag, once on, stays on; a two-phase set's removal is final")
    func flagAndTwoPhase() {
        var f = Flag()
        #expect(!f.merging(Flag()).isEnabled)
        f.enable()
        #expect(Flag().merging(f).isEnabled)
        var s = TwoPhaseSet<Int>()
        s.insert(1)
        s.remove(1)
        s.insert(1)
        #expect(!s.contains(1))
    }

    @Test("the change log hands out each changed part once, at its latest, in bounded chunks")
    func changeLog() {
        var log = ChangeLog()
        log.record("k", [AnyHashable("x"), AnyHashable("y")])
        log.record("k", [AnyHashable("x")])
        log.record("j", [AnyHashable(1)])
        let all = log.changes(after: 0, limit: 10)
        #expect(all.done && all.through == 4)
        #expect(all.parts["k"] == [AnyHashable("x"), AnyHashable("y")] && all.parts["j"] == [AnyHashable(1)])
        let first = log.changes(after: 0, limit: 1)
        #expect(!first.done && first.parts["k"] == [AnyHashable("y")])
        let rest = log.changes(after: first.through, limit: 10)
        #expect(rest.done && rest.parts["k"] == [AnyHashable("x")] && rest.parts["j"] == [AnyHashable(1)])
        #expect(log.changes(after: 4, limit: 10).parts.isEmpty)
    }
}
