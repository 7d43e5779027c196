package main

import (
	"io/fs"
	"os"
	"path/filepath"
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

// TestCommentsCiteNoAbsentDocuments: comments name public URLs or say what
// they mean; they never cite documents that are not in the repository (an
// issue tracker's numbers, or private names for Simkl's two doc sites).
func TestCommentsCiteNoAbsentDocuments(t *testing.T) {
	bad := regexp.MustCompile(`\b(DOCS|APIB|SRGSF|DIGEST)\b|\bissue #?\d+|(^|[^0-9] )§\d`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".sh") || strings.HasSuffix(path, "_templ.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			c := line
			if j := strings.Index(line, "//"); j >= 0 {
				c = line[j:]
			} else if j := strings.Index(line, "#"); j >= 0 && strings.HasSuffix(path, ".sh") {
				c = line[j:]
			} else {
				continue
			}
			if m := bad.FindString(c); m != "" && !strings.Contains(c, "RFC") {
				t.Errorf("%s:%d cites %q: %s", path, i+1, m, strings.TrimSpace(c))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
