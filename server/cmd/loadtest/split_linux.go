package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// With -split, Latch runs on the first half of the CPUs this process may
// use and PostgreSQL and the load client on the rest, so one machine
// measures an app server whose database runs elsewhere: the login ceiling
// is then the app server's cores ÷ one hash, and what a login costs around
// its hash shows without PostgreSQL's share in it.

// cpuSplit is the two sets of CPUs.
type cpuSplit struct {
	latch, rest unix.CPUSet
}

// newCPUSplit divides the CPUs this process may run on.
func newCPUSplit() (cpuSplit, error) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		return cpuSplit{}, fmt.Errorf("-split: read CPU affinity: %w", err)
	}
	return splitCPUs(all)
}

// splitCPUs gives the lower half of all (rounded down) to Latch and the
// rest to PostgreSQL and the client.
func splitCPUs(all unix.CPUSet) (cpuSplit, error) {
	n := all.Count()
	if n < 2 {
		return cpuSplit{}, errors.New("-split needs at least 2 CPUs")
	}
	var s cpuSplit
	seen := 0
	for cpu := 0; seen < n; cpu++ {
		if !all.IsSet(cpu) {
			continue
		}
		if seen < n/2 {
			s.latch.Set(cpu)
		} else {
			s.rest.Set(cpu)
		}
		seen++
	}
	return s, nil
}

// latchCores is how many CPUs Latch runs on.
func (s cpuSplit) latchCores() int { return s.latch.Count() }

// start starts cmd on Latch's CPUs: a child inherits the CPU mask of the
// thread that forks it, so its runtime sizes itself (GOMAXPROCS, hashing
// slots) to them.
func (s cpuSplit) start(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var was unix.CPUSet
	if err := unix.SchedGetaffinity(0, &was); err != nil {
		return err
	}
	if err := unix.SchedSetaffinity(0, &s.latch); err != nil {
		return err
	}
	err := cmd.Start()
	if rerr := unix.SchedSetaffinity(0, &was); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// pinPostgres moves the cluster (its postmaster, whose later children
// inherit the mask, and the children it has now) to the rest of the CPUs.
func (s cpuSplit) pinPostgres(pgData string) error {
	b, err := os.ReadFile(filepath.Join(pgData, "postmaster.pid"))
	if err != nil {
		return fmt.Errorf("-split: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return fmt.Errorf("-split: postmaster.pid: %w", err)
	}
	pids := []int{postmaster}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		stat, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after
		// the last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if err := pinThreads(pid, &s.rest); err != nil {
			return fmt.Errorf("-split: pin PostgreSQL process %d: %w", pid, err)
		}
	}
	return nil
}

// pinToLatch moves this process's threads (and the threads they start) to
// Latch's CPUs, to time the hash where Latch hashes.
func (s cpuSplit) pinToLatch() error { return pinThreads(os.Getpid(), &s.latch) }

// pinToRest moves this process's threads (and the threads they start) to
// the rest of the CPUs, beside PostgreSQL.
func (s cpuSplit) pinToRest() error { return pinThreads(os.Getpid(), &s.rest) }

// String says which CPUs run what, for the report.
func (s cpuSplit) String() string {
	return fmt.Sprintf("Latch on CPU %s, PostgreSQL and the load client on CPU %s", cpuList(s.latch), cpuList(s.rest))
}

// pinThreads sets the CPU mask of every thread of pid.
func pinThreads(pid int, set *unix.CPUSet) error {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/[0-9]*", pid))
	if err != nil || len(tasks) == 0 {
		return unix.SchedSetaffinity(pid, set)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(filepath.Base(t))
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) {
			return err
		}
	}
	return nil
}

// cpuList lists the CPUs of set, for the report.
func cpuList(set unix.CPUSet) string {
	var cpus []string
	for cpu, seen := 0, 0; seen < set.Count(); cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, strconv.Itoa(cpu))
			seen++
		}
	}
	return strings.Join(cpus, ",")
}

// childAttr is the servers' process attributes: each gets SIGTERM if the
// load test dies first.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
