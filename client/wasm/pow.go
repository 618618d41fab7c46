//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/latch-dev/latch/client/pow"
)

// The proof-of-work solver fills the proof input of forms that send
// something for someone not signed in (components/ui.BotCheck renders it,
// marked data-pow): it fetches a signed challenge from powPath, searches
// for the counter (client/pow) in slices of about powSliceMS, handing the
// event loop back between slices so the page never freezes, and writes the
// answer into the input. A form sent before that is sent as it is, without
// a proof: the server then applies a stricter budget, nothing more.
//
// Inputs are solved one at a time, in page order, including those a
// Datastar patch brings in later. A solved input is solved again with a new
// challenge powRenewMS before its challenge expires, and once its form has
// been sent (its proof is spent). The performance marks "latch:pow-start"
// and "latch:pow-solved" time each solve.

const (
	powPath      = "/pow/challenge"
	powAttr      = "data-pow"       // marks a proof input
	powStateAttr = "data-pow-state" // "queued" while waiting or solving, "solved" once filled
	powSliceMS   = 30               // work between two yields to the event loop
	powRenewMS   = 30_000           // solve again this long before a challenge expires
	powRetryMS   = 15_000           // after a failed fetch, try again this much later
	powTries     = 3                // fetches an input gets before it is left empty
)

type prover struct {
	doc   js.Value
	perf  js.Value // performance
	queue chan js.Value
	yield func() // hands the event loop back to the browser, then returns
}

// proofOfWork starts the solver on pages with proof inputs, now and after
// every change to the page's elements.
func proofOfWork(doc js.Value) {
	p := &prover{doc: doc, perf: js.Global().Get("performance"), queue: make(chan js.Value, 16), yield: yielder()}
	p.scan()
	observer := js.Global().Get("MutationObserver").New(js.FuncOf(func(js.Value, []js.Value) any {
		p.scan()
		return nil
	}))
	opts := js.Global().Get("Object").New()
	opts.Set("childList", true)
	opts.Set("subtree", true)
	observer.Call("observe", doc.Get("body"), opts)
	// A sent form has spent its proof: solve a new one once the submit has
	// been handled (Datastar reads the form during the event).
	doc.Call("addEventListener", "submit", js.FuncOf(func(_ js.Value, args []js.Value) any {
		form := args[0].Get("target")
		after(0, func() { p.renew(form.Call("querySelectorAll", "input["+powAttr+"]")) })
		return nil
	}))
	go p.run()
}

// scan queues every proof input not seen yet.
func (p *prover) scan() {
	list := p.doc.Call("querySelectorAll", "input["+powAttr+"]:not(["+powStateAttr+"])")
	for i := 0; i < list.Length(); i++ {
		p.enqueue(list.Index(i))
	}
}

// renew empties the inputs in list and queues them again.
func (p *prover) renew(list js.Value) {
	for i := 0; i < list.Length(); i++ {
		in := list.Index(i)
		if in.Get("isConnected").Bool() && in.Call("getAttribute", powStateAttr).String() == "solved" {
			in.Set("value", "")
			p.enqueue(in)
		}
	}
}

func (p *prover) enqueue(in js.Value) {
	in.Call("setAttribute", powStateAttr, "queued")
	select {
	case p.queue <- in:
	default:
		in.Call("removeAttribute", powStateAttr) // the next scan picks it up
	}
}

// run solves queued inputs one by one.
func (p *prover) run() {
	for in := range p.queue {
		if !in.Get("isConnected").Bool() {
			continue // patched away while it waited
		}
		p.mark("latch:pow-start")
		for try := 1; ; try++ {
			proof, lifeMS, ok := p.solve()
			if ok {
				in.Set("value", proof)
				in.Call("setAttribute", powStateAttr, "solved")
				p.mark("latch:pow-solved")
				after(lifeMS-powRenewMS, func() { p.renew(p.doc.Call("querySelectorAll", "input["+powStateAttr+"=solved]")) })
				break
			}
			if try == powTries || !in.Get("isConnected").Bool() {
				break // the input stays empty (and marked): the form works without
			}
			wait := make(chan struct{})
			after(powRetryMS, func() { close(wait) })
			<-wait
		}
	}
}

// solve fetches a challenge and solves it. It returns the proof and how
// long the challenge lives, in milliseconds.
func (p *prover) solve() (proof string, lifeMS float64, ok bool) {
	init := js.Global().Get("Object").New()
	init.Set("credentials", "same-origin")
	init.Set("cache", "no-store")
	resp, ok := await(js.Global().Call("fetch", powPath, init))
	if !ok || !resp.Get("ok").Bool() {
		return "", 0, false
	}
	body, ok := await(resp.Call("json"))
	if !ok || body.Type() != js.TypeObject {
		return "", 0, false
	}
	challenge, bits, life := stringField(body, "challenge"), int(numberField(body, "bits")), numberField(body, "expires_in")
	if challenge == "" || bits < 1 || bits > pow.MaxBits || life <= 0 {
		return "", 0, false
	}
	s := pow.NewSolver(challenge)
	const step = 2048 // hashes between two looks at the clock
	var next uint64
	for {
		start := p.now()
		for p.now()-start < powSliceMS {
			if c, found := s.Search(next, step, bits); found {
				return pow.Proof(challenge, c), life * 1000, true
			}
			next += step
		}
		p.yield()
	}
}

func (p *prover) now() float64 { return p.perf.Call("now").Float() }

func (p *prover) mark(name string) { p.perf.Call("mark", name) }

// yielder returns a function that blocks its goroutine until the browser
// has run its other tasks once: a MessageChannel message, which unlike a
// chain of setTimeout(0) is not clamped to 4 ms. (Every browser with
// WebAssembly has MessageChannel and performance.mark.)
func yielder() func() {
	ch := js.Global().Get("MessageChannel").New()
	wake := make(chan struct{}, 1)
	ch.Get("port1").Set("onmessage", js.FuncOf(func(js.Value, []js.Value) any {
		wake <- struct{}{}
		return nil
	}))
	port := ch.Get("port2")
	return func() {
		port.Call("postMessage", nil)
		<-wake
	}
}
