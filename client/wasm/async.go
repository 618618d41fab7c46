//go:build js && wasm

package main

import "syscall/js"

// Go code called from JavaScript runs on the browser's event loop and must
// not block it. Work that waits (a fetch, a lock, a timer) runs on its own
// goroutine: blocking there hands the event loop back to the browser until
// the awaited callback arrives.

// await waits for a JavaScript promise, on a goroutine other than an event
// callback's. It returns the value the promise resolved with and true, or
// the reason it was rejected with and false.
func await(p js.Value) (js.Value, bool) {
	var (
		v    js.Value
		ok   bool
		done = make(chan struct{})
	)
	settle := func(resolved bool) js.Func {
		return js.FuncOf(func(_ js.Value, args []js.Value) any {
			if len(args) > 0 {
				v = args[0]
			}
			ok = resolved
			close(done)
			return nil
		})
	}
	onResolve, onReject := settle(true), settle(false)
	defer onResolve.Release()
	defer onReject.Release()
	p.Call("then", onResolve, onReject)
	<-done
	return v, ok
}

// promise returns a JavaScript promise settled by run, which runs on a
// goroutine of its own: rejected with failure when failure is not
// undefined, resolved with v otherwise. A JavaScript exception thrown into
// run (syscall/js panics with a js.Error) rejects the promise with it.
func promise(run func() (v, failure js.Value)) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			v, failure := catchJS(run)
			if !failure.IsUndefined() {
				reject.Invoke(failure)
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	defer executor.Release() // the executor runs during the constructor
	return js.Global().Get("Promise").New(executor)
}

// catchJS runs f and turns a JavaScript exception thrown into it into its
// failure result. Any other panic is a bug and is not caught.
func catchJS(f func() (v, failure js.Value)) (v, failure js.Value) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			v, failure = js.Undefined(), e.Value
		}
	}()
	return f()
}

// after runs f on the event loop once ms milliseconds have passed, with the
// browser's setTimeout; stop cancels it if it has not run yet. f must not
// block.
func after(ms float64, f func()) (stop func()) {
	if ms < 0 {
		ms = 0
	}
	var cb js.Func
	fired := false
	cb = js.FuncOf(func(js.Value, []js.Value) any {
		fired = true
		cb.Release()
		f()
		return nil
	})
	id := js.Global().Call("setTimeout", cb, ms)
	return func() {
		if !fired {
			fired = true
			js.Global().Call("clearTimeout", id)
			cb.Release()
		}
	}
}

// newJSError returns a JavaScript Error with name and message, and a code
// property when code is not "".
func newJSError(constructor, name, message, code string) js.Value {
	e := js.Global().Get(constructor).New(message)
	if name != "" {
		e.Set("name", name)
	}
	if code != "" {
		e.Set("code", code)
	}
	return e
}
