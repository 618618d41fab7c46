package main

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSplitGivesLatchTheLowerHalf(t *testing.T) {
	var all unix.CPUSet
	for _, cpu := range []int{0, 1, 2, 5, 6} {
		all.Set(cpu)
	}
	s, err := splitCPUs(all)
	if err != nil {
		t.Fatal(err)
	}
	if got := cpuList(s.latch); got != "0,1" {
		t.Errorf("Latch's CPUs %s, want 0,1", got)
	}
	if got := cpuList(s.rest); got != "2,5,6" {
		t.Errorf("the rest %s, want 2,5,6", got)
	}
	var one unix.CPUSet
	one.Set(3)
	if _, err := splitCPUs(one); err == nil {
		t.Error("one CPU was split")
	}
}

// A child started through the split runs on Latch's CPUs only, and the
// thread that started it gets its own mask back.
func TestSplitStartsTheChildOnLatchsCPUs(t *testing.T) {
	runtime.LockOSThread() // the thread that starts the child is the one checked after
	defer runtime.UnlockOSThread()
	var mine unix.CPUSet
	if err := unix.SchedGetaffinity(0, &mine); err != nil {
		t.Fatal(err)
	}
	var first unix.CPUSet
	for cpu := 0; ; cpu++ {
		if mine.IsSet(cpu) {
			first.Set(cpu)
			break
		}
	}
	s := cpuSplit{latch: first}
	cmd := exec.Command("grep", "Cpus_allowed_list", "/proc/self/status")
	var out strings.Builder
	cmd.Stdout = &out
	if err := s.start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(strings.TrimPrefix(out.String(), "Cpus_allowed_list:")), cpuList(first); got != want {
		t.Errorf("the child ran on CPUs %q, want %q", got, want)
	}
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil {
		t.Fatal(err)
	}
	if after != mine {
		t.Errorf("this thread's CPUs are %s after the start, want %s back", cpuList(after), cpuList(mine))
	}
}
