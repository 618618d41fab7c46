// Package pow is the puzzle of Latch's proof of work, shared by the server
// (server/pow, which issues and checks challenges) and the browser module
// (client/wasm, which solves them).
//
// A challenge is an opaque string the server signed. Solving it means
// finding a counter such that SHA-256(challenge ‖ counter), with the counter
// as 8 big-endian bytes, starts with at least the challenge's number of zero
// bits. A form carries the answer as one value, Proof(challenge, counter).
//
// The package imports only math/bits: it computes SHA-256 itself, because
// crypto/sha256 would add about 90 KB (brotli) to the browser module, and
// because a solver that hashes the challenge's full blocks once and then
// only the last block per counter is faster than hashing the whole message
// each time. Tests check it against crypto/sha256.
package pow

import "math/bits"

// MaxBits is the most zero bits a challenge can ask for.
const MaxBits = 32

// Message returns the bytes whose SHA-256 must start with the zero bits:
// challenge followed by counter as 8 big-endian bytes.
func Message(challenge string, counter uint64) []byte {
	m := make([]byte, len(challenge)+8)
	copy(m, challenge)
	putUint64(m[len(challenge):], counter)
	return m
}

// LeadingZeroBits counts the zero bits at the start of sum.
func LeadingZeroBits(sum []byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// Proof is the form value that answers challenge with counter: the
// challenge, a dot, and the counter in decimal.
func Proof(challenge string, counter uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + counter%10)
		counter /= 10
		if counter == 0 {
			break
		}
	}
	return challenge + "." + string(buf[i:])
}

// ParseProof splits a form value made by Proof. It reports false for
// anything else: no dot, an empty challenge, a counter that is not 1 to 20
// decimal digits or does not fit 64 bits, or a leading zero.
func ParseProof(v string) (challenge string, counter uint64, ok bool) {
	dot := -1
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == '.' {
			dot = i
			break
		}
	}
	if dot <= 0 {
		return "", 0, false
	}
	digits := v[dot+1:]
	if len(digits) == 0 || len(digits) > 20 || (digits[0] == '0' && len(digits) > 1) {
		return "", 0, false
	}
	for i := 0; i < len(digits); i++ {
		d := digits[i]
		if d < '0' || d > '9' {
			return "", 0, false
		}
		next := counter*10 + uint64(d-'0')
		if counter > (1<<64-1)/10 || next < counter*10 {
			return "", 0, false
		}
		counter = next
	}
	return v[:dot], counter, true
}

// Solver searches for the counter that solves one challenge. It hashes
// the challenge's whole 64-byte blocks once, then per counter only the
// one or two blocks that hold the rest, the counter and the padding.
type Solver struct {
	mid  [8]uint32 // the state after the challenge's whole blocks
	tail []byte    // the last block(s) with the counter's place and the padding
	at   int       // where the counter goes in tail
}

// NewSolver prepares to solve challenge.
func NewSolver(challenge string) *Solver {
	s := &Solver{mid: iv}
	full := len(challenge) / 64 * 64
	var w [64]uint32
	for i := 0; i < full; i += 64 {
		block(&s.mid, []byte(challenge[i:i+64]), &w)
	}
	rest := len(challenge) - full
	n := 64
	if rest+8+1+8 > 64 {
		n = 128
	}
	s.tail = make([]byte, n)
	copy(s.tail, challenge[full:])
	s.at = rest
	s.tail[rest+8] = 0x80
	putUint64(s.tail[n-8:], uint64(len(challenge)+8)*8)
	return s
}

// Sum returns SHA-256(challenge ‖ counter).
func (s *Solver) Sum(counter uint64) [32]byte {
	var w [64]uint32
	h := s.hash(counter, &w)
	var out [32]byte
	for i, v := range h {
		out[4*i], out[4*i+1], out[4*i+2], out[4*i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	return out
}

// Search tries the counters from first on, n of them at most, and returns
// the first whose hash starts with at least zeroBits zero bits.
func (s *Solver) Search(first uint64, n int, zeroBits int) (counter uint64, found bool) {
	var w [64]uint32
	for c := first; n > 0; c, n = c+1, n-1 {
		h := s.hash(c, &w)
		z := bits.LeadingZeros32(h[0])
		if z == 32 {
			z += bits.LeadingZeros32(h[1])
		}
		if z >= zeroBits {
			return c, true
		}
	}
	return 0, false
}

func (s *Solver) hash(counter uint64, w *[64]uint32) [8]uint32 {
	putUint64(s.tail[s.at:], counter)
	h := s.mid
	for i := 0; i < len(s.tail); i += 64 {
		block(&h, s.tail[i:i+64], w)
	}
	return h
}

func putUint64(b []byte, v uint64) {
	_ = b[7]
	b[0], b[1], b[2], b[3] = byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32)
	b[4], b[5], b[6], b[7] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

var iv = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

var k = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// block runs SHA-256's compression function on one 64-byte block p,
// updating h; w is scratch space.
func block(h *[8]uint32, p []byte, w *[64]uint32) {
	_ = p[63]
	for i := 0; i < 16; i++ {
		j := 4 * i
		w[i] = uint32(p[j])<<24 | uint32(p[j+1])<<16 | uint32(p[j+2])<<8 | uint32(p[j+3])
	}
	for i := 16; i < 64; i++ {
		v1, v2 := w[i-2], w[i-15]
		t1 := bits.RotateLeft32(v1, -17) ^ bits.RotateLeft32(v1, -19) ^ v1>>10
		t2 := bits.RotateLeft32(v2, -7) ^ bits.RotateLeft32(v2, -18) ^ v2>>3
		w[i] = t1 + w[i-7] + t2 + w[i-16]
	}
	a, b, c, d, e, f, g, hh := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
	for i := 0; i < 64; i++ {
		t1 := hh + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) + (e&f ^ ^e&g) + k[i] + w[i]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) + (a&b ^ a&c ^ b&c)
		hh, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	h[0] += a
	h[1] += b
	h[2] += c
	h[3] += d
	h[4] += e
	h[5] += f
	h[6] += g
	h[7] += hh
}
