package password

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

const benchPassword = "correct horse battery staple"

func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultParams(), 1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, benchPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := NewHasher(DefaultParams(), 1)
	ctx := context.Background()
	encoded, err := h.Hash(ctx, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, benchPassword, encoded); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkVerifyParallel runs four callers per processor against hashers
// with different bounds and reports the most computations seen running at
// once, which never exceeds the bound however many callers there are.
func BenchmarkVerifyParallel(b *testing.B) {
	ctx := context.Background()
	for _, bound := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("bound=%d", bound), func(b *testing.B) {
			h := NewHasher(DefaultParams(), bound)
			encoded, err := h.Hash(ctx, benchPassword)
			if err != nil {
				b.Fatal(err)
			}
			var inFlight, peak atomic.Int32
			derive := h.derive
			h.derive = func(pw, salt []byte, p Params) []byte {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
				}
				return derive(pw, salt, p)
			}
			b.ReportAllocs()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if ok, _, err := h.Verify(ctx, benchPassword, encoded); !ok || err != nil {
						b.Error(ok, err)
						return
					}
				}
			})
			b.ReportMetric(float64(peak.Load()), "max-in-flight")
		})
	}
}
