package classifier

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naive finds what automaton.scan finds, the slow way.
func naive(keys []string, text string) [][2]int {
	padded := " " + text + " "
	var out [][2]int
	for end := 1; end <= len(padded); end++ {
		for k, key := range keys {
			if key != "" && end >= len(key) && padded[end-len(key):end] == key {
				out = append(out, [2]int{k, end})
			}
		}
	}
	return out
}

func TestAutomatonMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(alphabet string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 200 {
		alphabet := "ab c"
		if round%2 == 1 {
			alphabet = "abcdefg h\xc3\xb8"
		}
		keys := make([]string, 1+rng.IntN(20))
		for i := range keys {
			keys[i] = word(alphabet, rng.IntN(6))
			if round%4 < 2 {
				// Space-anchored keys, as phrase keys are.
				keys[i] = " " + keys[i]
			}
		}
		text := word(alphabet, rng.IntN(60))
		a := buildAutomaton(keys)
		var got [][2]int
		a.scan([]byte(text), func(k int32, end int) { got = append(got, [2]int{int(k), end}) })
		want := naive(keys, text)
		sortHits := func(h [][2]int) {
			slices.SortFunc(h, func(x, y [2]int) int {
				if x[1] != y[1] {
					return x[1] - y[1]
				}
				return x[0] - y[0]
			})
		}
		sortHits(got)
		sortHits(want)
		if !slices.Equal(got, want) {
			t.Fatalf("keys %q in %q: got %v, want %v", keys, text, got, want)
		}
	}
}

func TestAutomatonAllBytes(t *testing.T) {
	// Every byte value in some key: no spare class for unused bytes.
	var keys []string
	for c := 0; c < 256; c++ {
		keys = append(keys, string([]byte{byte(c), byte(255 - c)}))
	}
	a := buildAutomaton(keys)
	text := []byte{10, 245, 0, 255}
	var got [][2]int
	a.scan(text, func(k int32, end int) { got = append(got, [2]int{int(k), end}) })
	want := naive(keys, string(text))
	for _, h := range [][][2]int{got, want} {
		slices.SortFunc(h, func(x, y [2]int) int { return (x[1]-y[1])*1000 + x[0] - y[0] })
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestLargeAutomatonMatchesNaive covers the 32-bit table, used when the
// keys need more than 32767 states.
func TestLargeAutomatonMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "abcdefghijklmnopqrstuvwxyz "
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	keys := make([]string, 6000)
	for i := range keys {
		keys[i] = word(4 + rng.IntN(8))
	}
	a := buildAutomaton(keys)
	if a.next16 != nil {
		t.Fatalf("%d keys fit 16 bits; make the test bigger", len(keys))
	}
	for range 50 {
		text := word(300)
		var got [][2]int
		a.scan([]byte(text), func(k int32, end int) { got = append(got, [2]int{int(k), end}) })
		want := naive(keys, text)
		sortPairs(got)
		sortPairs(want)
		if !slices.Equal(got, want) {
			t.Fatalf("scan found %d matches, naive %d", len(got), len(want))
		}
	}
}

func sortPairs(p [][2]int) {
	slices.SortFunc(p, func(x, y [2]int) int {
		if x[1] != y[1] {
			return x[1] - y[1]
		}
		return x[0] - y[0]
	})
}
