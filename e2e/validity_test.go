package e2e

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vnuMessage is one message of the Nu Html Checker's JSON output.
type vnuMessage struct {
	Type     string `json:"type"` // error, info (subType warning), non-document-error
	SubType  string `json:"subType"`
	URL      string `json:"url"`
	Line     int    `json:"lastLine"`
	Column   int    `json:"firstColumn"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
	HiliteAt int    `json:"hiliteStart"`
}

// vnu is the command that runs the Nu Html Checker from node_modules
// (package.json pins vnu-jar); it skips t when java or the jar is missing.
func vnu(t *testing.T) []string {
	t.Helper()
	skipShort(t)
	java, err := exec.LookPath("java")
	if err != nil {
		missing(t, "java", "install a Java runtime, 11 or later, e.g. `apt-get install -y default-jre-headless`")
	}
	jar := filepath.Join(repoRoot(t), "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		missing(t, "the Nu Html Checker (node_modules/vnu-jar)", "run `npm ci` in the repository root")
	}
	return []string{java, "-jar", jar}
}

// TestHTMLValid runs the Nu Html Checker on every kind of page, as the
// server sends it; any error fails the test (warnings are logged).
func TestHTMLValid(t *testing.T) {
	cmd := vnu(t)
	a := app(t)
	pages, cookies := pagesToCheck(t, a)

	dir := t.TempDir()
	var files []string
	names := map[string]checkedPage{}
	for _, p := range pages {
		var c = cookies
		if !p.signedIn {
			c = nil
		}
		status, body := a.get(t, p.path, c)
		if status != p.status {
			t.Errorf("%s: GET %s answered %d, want %d", p.name, p.path, status, p.status)
		}
		if !bytes.HasPrefix(bytes.ToLower(body), []byte("<!doctype html>")) || !bytes.Contains(body, []byte("<main")) {
			t.Errorf("%s: GET %s is not a whole page", p.name, p.path)
		}
		f := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		names[(&url.URL{Scheme: "file", Path: f}).String()] = p
	}

	args := append(cmd[1:], "--format", "json", "--stdout", "--exit-zero-always")
	run := exec.Command(cmd[0], append(args, files...)...)
	var stderr bytes.Buffer
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("vnu: %v\n%s", err, stderr.String())
	}
	var res struct {
		Messages []vnuMessage `json:"messages"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("vnu output: %v\n%s", err, out)
	}
	for _, m := range res.Messages {
		page := strings.TrimPrefix(m.URL, "file:")
		if p, ok := names["file://"+page]; ok {
			page = p.name + " (" + p.path + ")"
		} else if p, ok := names[m.URL]; ok {
			page = p.name + " (" + p.path + ")"
		}
		switch {
		case m.Type == "info" && m.SubType == "warning":
			t.Logf("vnu warning: %s: line %d: %s\n\t%s", page, m.Line, m.Message, m.Extract)
		case m.Type == "info":
		default:
			t.Errorf("vnu %s: %s: line %d: %s\n\t%s", m.Type, page, m.Line, m.Message, m.Extract)
		}
	}
	t.Logf("vnu checked %d pages: %d messages", len(files), len(res.Messages))
}
