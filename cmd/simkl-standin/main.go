// Command simkl-standin serves the strict Simkl stand-in (simkl/simkltest)
// on its own, so that several simklink replicas can share it, its rate
// limits and its call counters:
//
//	go run ./cmd/simkl-standin -addr 127.0.0.1:7070 -redirect-uris http://localhost:8080/auth/callback
//
// It prints its URL, client_id, client_secret and redirect URIs. Point each
// replica at it with SIMKL_API_URL=URL, SIMKL_WEB_URL=URL/web,
// SIMKL_IMAGE_URL=URL/img and the printed client_id and secret. GET
// URL/_stats counts calls and rate-limit violations across every caller.
//
// Every option of simkltest.Options that is a string, bool, number,
// duration or list of strings is a flag, named after the field
// (ClientID is -client-id, RedirectURIs is -redirect-uris), so options
// added to the stand-in are flags here with no change.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"time"
	"unicode"

	"simklink/simkl/simkltest"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "simkl-standin: %v\n", err)
		os.Exit(1)
	}
}

// run serves the stand-in until ctx is done or SIGINT/SIGTERM arrives.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	fs := flag.NewFlagSet("simkl-standin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:7070", "listen address (loopback unless you mean it)")
	verbose := fs.Bool("v", false, "log every call (debug level) to stderr")
	var opts simkltest.Options
	optionFlags(fs, &opts)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: simkl-standin [flags]\n\nServes the Simkl stand-in on its own; GET /_stats counts calls and violations across all callers.\n\n")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		args = []string{"simkl-standin"}
	}
	if err := fs.Parse(args[1:]); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; see -h", fs.Args())
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	sk := simkltest.New(opts)
	url := "http://" + ln.Addr().String()
	cred := sk.Options()
	fmt.Fprintf(stdout, "simkl stand-in on %s\n", url)
	fmt.Fprintf(stdout, "  api      %s\n  web      %s/web\n  images   %s/img\n  stats    %s/_stats\n", url, url, url, url)
	fmt.Fprintf(stdout, "  client_id      %s\n  client_secret  %s\n  redirect_uris  %s\n", cred.ClientID, cred.ClientSecret, strings.Join(cred.RedirectURIs, " "))

	srv := &http.Server{
		Handler:           sk,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// optionFlags defines a flag for every field of opts of a kind a flag can
// carry; lists take comma-separated values or repeat the flag.
func optionFlags(fs *flag.FlagSet, opts *simkltest.Options) {
	v := reflect.ValueOf(opts).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name := flagName(f.Name)
		help := "simkltest.Options." + f.Name
		switch p := v.Field(i).Addr().Interface().(type) {
		case *string:
			fs.StringVar(p, name, "", help+" (stand-in default when empty)")
		case *bool:
			fs.BoolVar(p, name, false, help)
		case *int:
			fs.IntVar(p, name, 0, help)
		case *float64:
			fs.Float64Var(p, name, 0, help)
		case *time.Duration:
			fs.DurationVar(p, name, 0, help)
		case *[]string:
			fs.Func(name, help+" (comma-separated, or repeat the flag)", func(s string) error {
				for _, part := range strings.Split(s, ",") {
					if part = strings.TrimSpace(part); part != "" {
						*p = append(*p, part)
					}
				}
				return nil
			})
		}
	}
}

// flagName turns a field name into a flag name: ClientID is client-id,
// RedirectURIs redirect-uris, V2Tokens v2-tokens.
func flagName(field string) string {
	var b strings.Builder
	runes := []rune(field)
	for i, r := range runes {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
