package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCIRunsTheREADMEsTestCommand: CI runs the test command the README
// gives, and it is the one with the race detector.
func TestCIRunsTheREADMEsTestCommand(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^(go test [^#\n]*?)\\s*#").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md gives no `go test` command in its first code block")
	}
	want := string(m[1])
	if want != "go test -race ./..." {
		t.Errorf("README's test command is %q; want the race detector on every package", want)
	}
	var ran []string
	for _, line := range strings.Split(string(ci), "\n") {
		if strings.HasPrefix(line, "go test ") {
			ran = append(ran, line)
		}
	}
	if len(ran) != 1 || ran[0] != want {
		t.Errorf(".ci/run runs %q; the README says %q", ran, want)
	}
}
