//go:build !linux

package main

import (
	"errors"
	"os/exec"
	"syscall"
)

// cpuSplit needs Linux's CPU affinity; elsewhere -split is refused.
type cpuSplit struct{}

func newCPUSplit() (cpuSplit, error) {
	return cpuSplit{}, errors.New("-split needs Linux (it sets CPU affinity)")
}

func (cpuSplit) latchCores() int                 { return 0 }
func (cpuSplit) start(cmd *exec.Cmd) error       { return cmd.Start() }
func (cpuSplit) pinPostgres(pgData string) error { return nil }
func (cpuSplit) pinToLatch() error               { return nil }
func (cpuSplit) pinToRest() error                { return nil }
func (cpuSplit) String() string                  { return "" }

// childAttr is the servers' process attributes: nothing more outside Linux
// (they are stopped when the run ends).
func childAttr() *syscall.SysProcAttr { return nil }
