// Package redistest finds a Redis for tests: the one .ci/run starts (its
// URL in SIMKLINK_TEST_REDIS_URL), or a private redis-server on a free
// loopback port. Without either, tests skip with a message, and fail when
// CI=true.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
	URL  string
	t    testing.TB
	port int
	cmd  *exec.Cmd
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{URL: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0", t: t, port: port}
	s.start(bin)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(bin string) {
	s.t.Helper()
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning")
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("redis-server: %v", err)
	}
	s.cmd = cmd
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
		}
	}()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.port), MaxRetries: -1, DisableIdentity: true})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on port %d did not answer: %v", s.port, err)
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
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the stopped server again on the same port, empty.
func (s *Server) Restart() {
	s.t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.t.Fatal(err)
	}
	s.start(bin)
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis is required when CI=true: %s (.ci/run installs and starts it)", why)
	}
	t.Skipf("skipping: %s (install redis-server, or run .ci/run)", why)
}
