package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// The e2e tests share one simklink process and one Chromium, both started
// on first use and stopped by TestMain.
var (
	appOnce sync.Once
	theApp  *appProcess
	appErr  error

	tmpDir string // removed by TestMain
)

func TestMain(m *testing.M) {
	var err error
	tmpDir, err = os.MkdirTemp("", "simklink-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	stopBrowser()
	if theApp != nil {
		if err := theApp.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping simklink:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	_ = os.RemoveAll(tmpDir)
	os.Exit(code)
}

// readSources reads every file the app is built from. These tests build
// and run the binary in a subprocess, which go test's result cache cannot
// see; files the test process itself reads are part of the cache key, so
// reading them here makes any change to the app rerun these tests instead
// of replaying a cached pass.
func readSources(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "docs", "bench":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".templ", ".css", ".js", ".svg", ".mod", ".sum":
			_, err := os.ReadFile(path)
			return err
		}
		return nil
	})
}

// inCI reports whether the tests run in CI, where a missing tool is a
// failure and never a skip.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// missing skips t because a tool is missing, or fails it in CI.
func missing(t *testing.T, what, how string) {
	t.Helper()
	if inCI() {
		t.Fatalf("%s is missing, and CI=true makes that a failure: %s", what, how)
	}
	t.Skipf("skipping: %s is missing (%s); with CI=true this fails instead", what, how)
}

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the browser and validator tests in -short mode")
	}
}

// repoRoot is the module root, the parent of this package's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// appProcess is the simklink binary running in demo mode.
type appProcess struct {
	cmd  *exec.Cmd
	base string // BASE_URL, http://localhost:<port>: the origin browsers use
	out  *syncBuffer
	done chan error
}

// app returns the running simklink, building and starting it on first use.
func app(t *testing.T) *appProcess {
	t.Helper()
	skipShort(t)
	appOnce.Do(func() { theApp, appErr = startApp(repoRoot(t)) })
	if appErr != nil {
		t.Fatalf("starting simklink: %v", appErr)
	}
	return theApp
}

// startApp builds the binary from the module root and starts it with
// -addr 127.0.0.1:0, reading the address from its "listening" log line.
func startApp(root string) (*appProcess, error) {
	// Inside a test, so that go test records the reads (see readSources).
	if err := readSources(root); err != nil {
		return nil, err
	}
	bin := filepath.Join(tmpDir, "simklink")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-metrics-addr", "off")
	// Demo mode: no Simkl settings from the environment may leak in.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmpDir, "LOG_LEVEL=info"}
	setParentDeathSignal(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &appProcess{cmd: cmd, out: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- cmd.Wait() }()

	listening := regexp.MustCompile(`msg=listening url=(\S+) base_url=(\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			p.out.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil && !sent {
				found <- m[2]
				sent = true
			}
		}
	}()
	select {
	case p.base = <-found:
	case err := <-p.done:
		return nil, fmt.Errorf("simklink exited before listening: %v\n%s", err, p.out)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("simklink printed no listening line\n%s", p.out)
	}
	u, err := url.Parse(p.base)
	if err != nil || u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("unexpected base_url %q: the tests bind to loopback only", p.base)
	}
	return p, nil
}

// stop ends simklink with SIGTERM and waits for its graceful shutdown.
func (p *appProcess) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("%v\n%s", err, p.out)
		}
		return nil
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		return errors.New("simklink did not stop within 20s of SIGTERM")
	}
}

// url is the absolute URL of path on the app.
func (p *appProcess) url(path string) string { return p.base + path }

// get fetches path as a plain (non-htmx) request, with cookies if given,
// and returns the status and body. Redirects are not followed.
func (p *appProcess) get(t *testing.T, path string, cookies []*http.Cookie) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, body
}

// signIn signs a new stand-in user in over plain HTTP (the browser
// scenario does it through the pages) and returns the app's cookies. A new
// user name gets a fresh copy of the demo library.
func (p *appProcess) signIn(t *testing.T, user string) []*http.Cookie {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := c.Get(p.url("/login?next=%2F"))
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in: consent page answered %d (%v)", resp.StatusCode, err)
	}
	form := doc.Find(`form[method="post"]`).First()
	if form.Length() == 0 {
		t.Fatal("sign-in: the consent page has no form")
	}
	vals := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		vals.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	vals.Set("user", user)
	vals.Set("decision", "allow")
	if access := form.Find(`input[name="access"][checked]`); access.Length() == 1 {
		vals.Set("access", access.AttrOr("value", "")) // AUTH V2: the checked choice, as a browser sends it
	}
	action, err := resp.Request.URL.Parse(form.AttrOr("action", ""))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = c.PostForm(action.String(), vals)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" || !bytes.Contains(body, []byte(`data-testid="user-name">`+user+`<`)) {
		t.Fatalf("sign-in as %s ended at %s with %d, not signed in on the home page", user, resp.Request.URL, resp.StatusCode)
	}
	u, _ := url.Parse(p.base)
	return jar.Cookies(u)
}

// newUser is a stand-in user name no other run or test has used.
func newUser(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// syncBuffer collects a process's output for failure messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// withTimeout is a context for one test's browser work: generous, so that
// a slow machine never fails a test, but bounded, so that a hang does.
func withTimeout(t *testing.T, parent context.Context) context.Context {
	ctx, cancel := context.WithTimeout(parent, 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
