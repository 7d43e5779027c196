package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"simklink/simkl/simkltest"
)

func TestEveryOptionIsAFlag(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var o simkltest.Options
	optionFlags(fs, &o)
	typ := reflect.TypeOf(o)
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch f.Type.Kind() {
		case reflect.Func, reflect.Pointer, reflect.Interface:
			continue // a clock or a logger: not a flag's business
		}
		if fs.Lookup(flagName(f.Name)) == nil {
			t.Errorf("simkltest.Options.%s (%s) has no flag: add its kind to optionFlags", f.Name, f.Type)
		}
	}
	if err := fs.Parse([]string{"-client-id", "abc", "-redirect-uris", "http://a/cb,http://b/cb", "-redirect-uris", "http://c/cb"}); err != nil {
		t.Fatal(err)
	}
	if o.ClientID != "abc" || len(o.RedirectURIs) != 3 {
		t.Errorf("parsed %+v", o)
	}
	for in, want := range map[string]string{"ClientID": "client-id", "RedirectURIs": "redirect-uris", "V2Tokens": "v2-tokens", "Now": "now"} {
		if got := flagName(in); got != want {
			t.Errorf("flagName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStandInCountsViolationsAcrossCallers runs the command on a free port
// and has several clients go over the app's 10 GET/s together.
func TestStandInCountsViolationsAcrossCallers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"simkl-standin", "-addr", "127.0.0.1:0", "-client-id", "replicas-test", "-client-secret", "s3cret", "-redirect-uris", "http://127.0.0.1:1/auth/callback"}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	sc := bufio.NewScanner(pr)
	var url string
	var printed strings.Builder
	for sc.Scan() {
		line := sc.Text()
		printed.WriteString(line + "\n")
		if u, ok := strings.CutPrefix(line, "simkl stand-in on "); ok {
			url = u
		}
		if strings.Contains(line, "redirect_uris") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	for _, want := range []string{"client_id      replicas-test", "client_secret  s3cret", "redirect_uris  http://127.0.0.1:1/auth/callback"} {
		if !strings.Contains(printed.String(), want) {
			t.Errorf("printed:\n%s\nwant %q", printed.String(), want)
		}
	}
	if url == "" {
		t.Fatal("no URL printed")
	}

	// Three "replicas" send 10 GETs each at once: Simkl allows 10 a second
	// for the app, so at least 20 are violations.
	var wg sync.WaitGroup
	for range 3 {
		c := &http.Client{Timeout: 5 * time.Second}
		for range 10 {
			wg.Go(func() {
				resp, err := c.Get(url + "/search/id?imdb=tt1375666&client_id=replicas-test")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			})
		}
	}
	wg.Wait()
	resp, err := http.Get(url + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Total, Violations int }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Total != 30 || st.Violations < 20 {
		t.Errorf("stats = %+v, want 30 calls of which at least 20 violations", st)
	}
}
