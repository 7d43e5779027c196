package simkl_test

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// TestContractOAuthV2 signs in through AUTH V2 with x/oauth2 and the
// client's OAuth settings: PKCE S256 and the secret, scopes, iss, a
// refresh, and a revocation. The stand-in refuses OAuth calls that do not
// identify the app, so this also proves the User-Agent and query.
func TestContractOAuthV2(t *testing.T) {
	t.Parallel()
	srv := simkltest.NewServer(simkltest.Options{ClientID: "c", ClientSecret: "s", RedirectURIs: []string{redirectURI}, AuthV2: true})
	t.Cleanup(srv.Close)
	c, err := simkl.New(simkl.Config{APIBase: srv.URL, WebBase: srv.URL + "/web", ImageBase: srv.URL + "/img", ClientID: "c", AppVersion: "9.9"})
	if err != nil {
		t.Fatal(err)
	}
	o := c.OAuth(true)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, o.HTTPClient)
	conf := &oauth2.Config{ClientID: "c", ClientSecret: "s", Endpoint: o.Endpoint, RedirectURL: redirectURI, Scopes: o.Scopes}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier))
	u, _ := url.Parse(authURL)
	if q := u.Query(); q.Get("app-name") != "simklink" || q.Get("app-version") != "9.9" || q.Get("scope") != "media:read media:write" {
		t.Fatalf("authorize URL %s", authURL)
	}

	res, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %d\n%s", res.StatusCode, page)
	}
	form := url.Values{"decision": {"allow"}, "user": {"v2-user"}, "access": {"read"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noRedirect.PostForm(c.WebBase()+"/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || loc.Query().Get("iss") != o.Issuer {
		t.Fatalf("decision: %d, Location %q, want iss %q", res.StatusCode, res.Header.Get("Location"), o.Issuer)
	}

	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "simkl_at_") || tok.RefreshToken == "" || tok.Extra("scope") != "media:read" {
		t.Fatalf("token %+v scope %v", tok, tok.Extra("scope"))
	}
	// A read-only grant: reading works, writing is insufficient_scope.
	if _, err := c.UserSettings(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddToList(ctx, tok.AccessToken, []simkl.ListItem{{Ref: sref(t, simkltest.InceptionID), Type: simkl.Movie, To: simkl.ListPlanToWatch}})
	if !errors.Is(err, simkl.ErrInsufficientScope) || errors.Is(err, simkl.ErrBadClientID) || errors.Is(err, simkl.ErrTokenRevoked) {
		t.Fatalf("write with a read-only token: %v", err)
	}

	// A refresh ends the old access token at once.
	fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken != tok.RefreshToken {
		t.Fatalf("refresh: %+v, %v", fresh, err)
	}
	if _, err := c.UserSettings(ctx, tok.AccessToken); !errors.Is(err, simkl.ErrTokenRevoked) {
		t.Fatalf("old access token: %v, want ErrTokenRevoked", err)
	}

	// Revocation, with the app's identity, ends the grant.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.RevokeURL, strings.NewReader(url.Values{"client_id": {"c"}, "token": {fresh.RefreshToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = o.HTTPClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", res, err)
	}
	res.Body.Close()
	var re *oauth2.RetrieveError
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("refresh after revoke: %v", err)
	}
	// Without the client's HTTP client, x/oauth2 goes out as Go-http-client
	// and the stand-in refuses it.
	if _, err := conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: "x"}).Token(); err == nil || !strings.Contains(err.Error(), "User-Agent") {
		t.Errorf("refresh with Go's default client: %v", err)
	}
}

// TestUserTokenRequired: under the fault, an anonymous /search/id is
// ErrUserTokenRequired (not a revoked token), and SearchIDAs with a user's
// token resolves.
func TestUserTokenRequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	f := e.srv.Simkl.Faults()
	f.UserTokenRequired = true
	e.srv.Simkl.SetFaults(f)
	r := ref(t, simkl.KindIMDB, "tt1375666")
	_, err := e.c.SearchID(t.Context(), r)
	if !errors.Is(err, simkl.ErrUserTokenRequired) || errors.Is(err, simkl.ErrTokenRevoked) {
		t.Fatalf("anonymous: %v", err)
	}
	tok := e.srv.Simkl.MintToken("lookup-user")
	got, err := e.c.SearchIDAs(t.Context(), r, tok)
	if err != nil || len(got) != 1 || got[0].IDs.Simkl != simkltest.InceptionID {
		t.Fatalf("with a token: %+v, %v", got, err)
	}
	calls := e.srv.Simkl.Calls()
	if last := calls[len(calls)-1]; last.User != "lookup-user" {
		t.Errorf("the lookup went as %q", last.User)
	}
}
