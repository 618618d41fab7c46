package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func tgz(t *testing.T, name, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, f := range []struct{ name, body string }{{"package/README.md", "hello"}, {name, body}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

func TestReadTopAndBuild(t *testing.T) {
	archive := tgz(t, listPath, "123456\r\npassword\nPassword\nＰＡＳＳword\nqwerty\n\nzebra\ndragon\n")
	top, err := readTop(archive, 6)
	if err != nil {
		t.Fatal(err)
	}
	// The first 6 lines (the empty one counts): "zebra" and "dragon" are past the cut.
	got := string(build(top))
	if want := "123456\npassword\nqwerty\n"; got != want {
		t.Fatalf("build = %q, want %q (normalised, lowercased, deduplicated, sorted, no empty line)", got, want)
	}
	if _, err := readTop(archive, 100); err == nil || !strings.Contains(err.Error(), "fewer than") {
		t.Fatalf("asking for more than the list holds: %v", err)
	}
	if _, err := readTop(tgz(t, "package/other.txt", "a\n"), 1); err == nil {
		t.Fatal("an archive without the list was accepted")
	}
}

func TestVerify(t *testing.T) {
	if err := verify([]byte("not the tarball")); err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Fatalf("verify accepted other bytes: %v", err)
	}
}
