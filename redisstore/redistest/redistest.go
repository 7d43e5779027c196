// Package redistest finds a Redis for tests: the one .ci/run starts (its
// URL in SIMKLINK_TEST_REDIS_URL), or a private redis-server on a free
// loopback port. Without either, tests skip with a message, and fail when
// CI=true.
package redistest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL names the variable holding the shared test Redis's URL.
const EnvURL = "SIMKLINK_TEST_REDIS_URL"

var seq atomic.Uint64

// URL returns a Redis URL for t and a key prefix of its own, so that
// parallel tests sharing one Redis never see each other's keys.
func URL(t testing.TB) (url, prefix string) {
	t.Helper()
	prefix = fmt.Sprintf("test:%d:%d:%s:", os.Getpid(), seq.Add(1), strings.ReplaceAll(t.Name(), "/", "."))
	if u := os.Getenv(EnvURL); u != "" {
		return u, prefix
	}
	return Start(t).URL, prefix
}

// Server is a private redis-server that a test can stop and start again
// (without persistence, as a restarted cache would be: empty).
type Server struct {
	URL    string
	t      testing.TB
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// syncWriter guards a writer that a process's output goroutine and the
// test share.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

// Start starts a private redis-server on a free loopback port; it is
// stopped when the test ends. Without redis-server on PATH the test is
// skipped, or fails when CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		missing(t, "no redis-server on PATH and "+EnvURL+" unset")
	}
	// A port picked free can be taken again before redis-server binds it
	// (other tests run at the same time): try a few.
	var s *Server
	var errs []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		s = &Server{URL: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0", t: t, port: port}
		if err := s.start(bin); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		t.Cleanup(s.Stop)
		return s
	}
	t.Fatalf("redis-server would not start: %s", strings.Join(errs, "; "))
	return nil
}

func (s *Server) start(bin string) error {
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &syncWriter{w: &out}, nil
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.port), MaxRetries: -1, DisableIdentity: true})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("redis-server on port %d exited: %s", s.port, strings.TrimSpace(out.String()))
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("redis-server on port %d did not answer: %v", s.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server (its data is lost). Stopping twice is a no-op.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts the stopped server again on the same port, empty.
func (s *Server) Restart() {
	s.t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.start(bin); err != nil {
		s.t.Fatal(err)
	}
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis is required when CI=true: %s (.ci/run installs and starts it)", why)
	}
	t.Skipf("skipping: %s (install redis-server, or run .ci/run)", why)
}
