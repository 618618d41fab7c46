//go:build !unix

package devdb

import (
	"context"
	"errors"
	"os"
	"os/exec"
)

// lock fails: the local cluster needs a Unix-like OS.
func lock(context.Context, string) (func(), error) {
	return nil, errors.New("devdb: the local PostgreSQL cluster needs Linux or macOS; set DATABASE_URL to an existing server")
}

func detach(*exec.Cmd) {}

func statOwner(string) (uid, gid int, mode os.FileMode, ok bool) { return 0, 0, 0, false }
