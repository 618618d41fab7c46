package pow_test

import (
	"crypto/sha256"
	"go/build"
	"math"
	"strings"
	"testing"

	"github.com/latch-dev/latch/client/pow"
)

// TestSolverSumIsSHA256 checks the package's own SHA-256 against the
// standard library's, for challenges whose last block holds the counter
// and padding in one block or spills into a second (lengths around 64).
func TestSolverSumIsSHA256(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 200; n++ {
		challenge := strings.Repeat("abcdefghij", 21)[:n]
		s := pow.NewSolver(challenge)
		for _, c := range []uint64{0, 1, 255, 1 << 32, math.MaxUint64} {
			if got, want := s.Sum(c), sha256.Sum256(pow.Message(challenge, c)); got != want {
				t.Fatalf("len %d counter %d: Sum = %x, crypto/sha256 = %x", n, c, got, want)
			}
		}
	}
}

// TestSearchFindsAProof solves a challenge and checks the answer with
// crypto/sha256, and that no earlier counter was good enough.
func TestSearchFindsAProof(t *testing.T) {
	t.Parallel()
	const challenge, bits = "AQ8AAAAAaQk-dGhpcy1pcy1ub3QtYS1yZWFsLWNoYWxsZW5nZS1idXQtYS1sb25nLW9uZQ", 12
	s := pow.NewSolver(challenge)
	c, ok := s.Search(0, 1<<20, bits)
	if !ok {
		t.Fatalf("no counter below 2^20 gives %d zero bits", bits)
	}
	sum := sha256.Sum256(pow.Message(challenge, c))
	if z := pow.LeadingZeroBits(sum[:]); z < bits {
		t.Fatalf("counter %d: %d zero bits, want at least %d", c, z, bits)
	}
	for e := uint64(0); e < c; e++ {
		sum := sha256.Sum256(pow.Message(challenge, e))
		if pow.LeadingZeroBits(sum[:]) >= bits {
			t.Fatalf("Search returned %d, but %d already solves it", c, e)
		}
	}
	// A search that stops before the answer reports none; one that
	// starts at it finds it at once.
	if c > 0 {
		if _, ok := s.Search(0, int(c), bits); ok {
			t.Errorf("Search(0, %d) found a counter before %d", c, c)
		}
	}
	if got, ok := s.Search(c, 1, bits); !ok || got != c {
		t.Errorf("Search(%d, 1) = %d, %v", c, got, ok)
	}
}

func TestLeadingZeroBits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sum  []byte
		want int
	}{
		{[]byte{0x80, 0}, 0},
		{[]byte{0x01, 0xff}, 7},
		{[]byte{0, 0x40}, 9},
		{[]byte{0, 0, 0x0f}, 20},
		{make([]byte, 32), 256},
	} {
		if got := pow.LeadingZeroBits(tc.sum); got != tc.want {
			t.Errorf("LeadingZeroBits(%x) = %d, want %d", tc.sum, got, tc.want)
		}
	}
}

func TestProofRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []uint64{0, 7, 10, 123456789, math.MaxUint64} {
		ch, got, ok := pow.ParseProof(pow.Proof("abc.def", c))
		if !ok || ch != "abc.def" || got != c {
			t.Errorf("ParseProof(Proof(%d)) = %q, %d, %v", c, ch, got, ok)
		}
	}
	for _, bad := range []string{
		"", "abc", ".5", "abc.", "abc.-1", "abc.1x", "abc.01", "abc. 1", "abc.+1",
		"abc.18446744073709551616", "abc.99999999999999999999", "abc.123456789012345678901",
	} {
		if ch, c, ok := pow.ParseProof(bad); ok {
			t.Errorf("ParseProof(%q) = %q, %d, true; want false", bad, ch, c)
		}
	}
}

// TestImportsOnlyMathBits keeps the package light enough for the browser
// module: no crypto/sha256 (about 90 KB brotli), no strconv, no fmt.
func TestImportsOnlyMathBits(t *testing.T) {
	t.Parallel()
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range p.Imports {
		if imp != "math/bits" {
			t.Errorf("client/pow imports %s; it may import only math/bits", imp)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	s := pow.NewSolver("AQ8AAAAAaQk-dGhpcy1pcy1ub3QtYS1yZWFsLWNoYWxsZW5nZS1idXQtYS1sb25nLW9uZQ")
	b.ResetTimer()
	s.Search(0, b.N, 256)
}
