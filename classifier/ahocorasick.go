package classifier

// automaton is an Aho-Corasick automaton over bytes: it finds every
// occurrence of every key in one pass over the text, however many keys
// there are. It is compiled into a full DFA over byte classes (bytes that no
// key uses share one class), so a step is one table look-up.
type automaton struct {
	class  [256]uint8
	nclass int
	// next[s*nclass+c] is the state after reading a byte of class c in s,
	// with outFlag set when that state ends a key (itself or through its
	// failure chain), so the scan loop tests one value it already holds.
	next []int32
	// next16 is next in 16 bits (outFlag16 for outFlag) when there are at
	// most 32767 states: half the memory, so more of the rows the scan
	// touches stay in cache. nil when the automaton is too large.
	next16 []uint16
	// term[s] lists the keys that end in state s; dict[s] is the nearest
	// state on s's failure chain that ends a key, or -1.
	term [][]int32
	dict []int32
	// keyLen[k] is the length in bytes of key k.
	keyLen []int32
}

const (
	outFlag   = 1 << 30
	outFlag16 = 1 << 15
)

// buildAutomaton compiles keys; key k of the result is keys[k]. Empty keys
// are never reported.
func buildAutomaton(keys []string) *automaton {
	a := &automaton{keyLen: make([]int32, len(keys))}
	// Byte classes: class 0 for bytes in no key.
	var used [256]bool
	for _, k := range keys {
		for i := 0; i < len(k); i++ {
			used[k[i]] = true
		}
	}
	a.nclass = 1
	for c := 0; c < 256; c++ {
		if used[c] {
			a.class[c] = uint8(a.nclass)
			a.nclass++
		}
	}
	if a.nclass > 256 {
		// Every byte value is used: class 0 must be a real byte too.
		a.nclass = 256
		for c := 0; c < 256; c++ {
			a.class[c] = uint8(c)
		}
	}

	// Trie with sparse children, then the failure function by BFS.
	type node struct {
		child map[uint8]int32
		term  []int32
	}
	nodes := []node{{}}
	for k, key := range keys {
		a.keyLen[k] = int32(len(key))
		if key == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(key); i++ {
			c := a.class[key[i]]
			if nodes[s].child == nil {
				nodes[s].child = map[uint8]int32{}
			}
			n, ok := nodes[s].child[c]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, node{})
				nodes[s].child[c] = n
			}
			s = n
		}
		nodes[s].term = append(nodes[s].term, int32(k))
	}

	n := len(nodes)
	a.next = make([]int32, n*a.nclass)
	a.term = make([][]int32, n)
	a.dict = make([]int32, n)
	fail := make([]int32, n)
	for s := range nodes {
		a.term[s] = nodes[s].term
	}
	queue := make([]int32, 0, n)
	a.dict[0] = -1
	for c := 0; c < a.nclass; c++ {
		if t, ok := nodes[0].child[uint8(c)]; ok {
			a.next[c] = t
			fail[t] = 0
			a.dict[t] = -1
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		if len(a.term[f]) > 0 {
			a.dict[s] = f
		} else {
			a.dict[s] = a.dict[f]
		}
		row := int(s) * a.nclass
		frow := int(f) * a.nclass
		for c := 0; c < a.nclass; c++ {
			if t, ok := nodes[s].child[uint8(c)]; ok {
				a.next[row+c] = t
				fail[t] = a.next[frow+c]
				queue = append(queue, t)
			} else {
				a.next[row+c] = a.next[frow+c]
			}
		}
	}
	for i, t := range a.next {
		if len(a.term[t]) > 0 || a.dict[t] >= 0 {
			a.next[i] = t | outFlag
		}
	}
	if n < outFlag16 {
		a.next16 = make([]uint16, len(a.next))
		for i, t := range a.next {
			v := uint16(t &^ outFlag)
			if t&outFlag != 0 {
				v |= outFlag16
			}
			a.next16[i] = v
		}
		a.next = nil
	}
	return a
}

// step returns the state after reading a byte of class c in state s.
func (a *automaton) step(s int32, c int) int32 {
	if a.next16 != nil {
		v := a.next16[int(s)*a.nclass+c]
		t := int32(v &^ outFlag16)
		if v&outFlag16 != 0 {
			t |= outFlag
		}
		return t
	}
	return a.next[int(s)*a.nclass+c]
}

// scan calls found(key, end) for every occurrence of a key in " "+b+" ",
// where that padded text's [end-keyLen[key]:end] is the occurrence, in
// order of end. The padding lets keys written " word " match whole words
// only, at the ends of b too.
func (a *automaton) scan(b []byte, found func(key int32, end int)) {
	sp := int(a.class[' '])
	s := a.step(0, sp)
	if s&outFlag != 0 {
		s &^= outFlag
		a.emit(s, 1, found)
	}
	class, n := &a.class, a.nclass
	if next := a.next16; next != nil {
		u := uint16(s)
		for i := 0; i < len(b); i++ {
			u = next[int(u)*n+int(class[b[i]])]
			if u&outFlag16 != 0 {
				u &^= outFlag16
				a.emit(int32(u), i+2, found)
			}
		}
		s = int32(u)
	} else {
		next := a.next
		for i := 0; i < len(b); i++ {
			s = next[int(s)*n+int(class[b[i]])]
			if s&outFlag != 0 {
				s &^= outFlag
				a.emit(s, i+2, found)
			}
		}
	}
	if s = a.step(s, sp); s&outFlag != 0 {
		a.emit(s&^outFlag, len(b)+2, found)
	}
}

func (a *automaton) emit(s int32, end int, found func(key int32, end int)) {
	t := s
	if len(a.term[t]) == 0 {
		t = a.dict[t]
	}
	for t > 0 {
		for _, k := range a.term[t] {
			found(k, end)
		}
		t = a.dict[t]
	}
}
