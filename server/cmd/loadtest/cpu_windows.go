//go:build windows

package main

import (
	"syscall"
	"time"
)

// processCPU is this process's CPU time (argon2 runs its lanes on other
// goroutines, so a thread's own time would miss them).
func processCPU() time.Duration {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0
	}
	return 100 * time.Duration(ticks(kernel)+ticks(user))
}

// ticks is a Filetime read as a duration, in its 100 ns units.
func ticks(f syscall.Filetime) int64 {
	return int64(f.HighDateTime)<<32 | int64(f.LowDateTime)
}
