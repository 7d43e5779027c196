package auth

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"simklink/simkl"
)

// Where SafeReturnPath may send a visitor.
var (
	returnIDPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$`)
	returnValuePattern = regexp.MustCompile(`^[a-z0-9]{1,20}$`)
)

// isReturnKind: the ID kinds /t/{kind}/{id} takes (simkl.Kinds), never
// "title", which has its own path form.
func isReturnKind(k string) bool { return simkl.Kind(k).Valid() }

func isReturnQueryKey(k string) bool {
	return slices.Contains([]string{"season", "episode", "year", "type", "action", "status"}, k)
}

const (
	maxReturnLen      = 4096 // bytes of the raw input
	maxReturnTitleLen = 200  // runes
)

// SafeReturnPath returns a path on this site to send the visitor to after
// sign-in, rebuilt from an allow-list, never echoed: "/",
// "/t/{kind}/{id}" for a known kind and a plain ID, "/t/title/{title}", or a
// list "/l/{kind}:{id},…" of up to 50 such IDs,
// with at most the query keys season, episode, year, type, action and
// status (short lower-case alphanumeric values), re-encoded. Anything else,
// or anything suspicious (control characters, backslashes, a scheme or
// host, "//", an encoded "/", "\" or "%"), gives "/".
//
// One consequence: a title containing "/" or "%" (sent as %2F or %25)
// returns to "/".
func SafeReturnPath(raw string) string {
	const home = "/"
	if raw == "" || len(raw) > maxReturnLen {
		return home
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return home
		}
	}
	if raw[0] != '/' || strings.HasPrefix(raw, "//") {
		return home
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	// u.Path is the path decoded once. Decoding must not have made a "/",
	// "\" or "%" (a doubly encoded "%252F" decodes to "%2F").
	rawPath := raw
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		rawPath = raw[:i]
	}
	p := u.Path
	if strings.ContainsAny(p, `%\`) || strings.Count(p, "/") != strings.Count(rawPath, "/") {
		return home
	}
	out, ok := rebuildReturnPath(p)
	if !ok {
		return home
	}
	if q := rebuildReturnQuery(u.RawQuery); q != "" {
		out += "?" + q
	}
	return out
}

func rebuildReturnPath(p string) (string, bool) {
	if p == "/" {
		return "/", true
	}
	seg := strings.Split(p, "/") // "", "t", kind, id
	if len(seg) == 3 && seg[0] == "" && seg[1] == "l" {
		return rebuildReturnList(seg[2])
	}
	if len(seg) != 4 || seg[0] != "" || seg[1] != "t" {
		return "", false
	}
	kind, id := seg[2], seg[3]
	if kind == "title" {
		if !validReturnTitle(id) {
			return "", false
		}
		return "/t/title/" + url.PathEscape(id), true
	}
	if !isReturnKind(kind) || !returnIDPattern.MatchString(id) {
		return "", false
	}
	return "/t/" + kind + "/" + id, true
}

// maxReturnListItems is the most titles a list link holds.
const maxReturnListItems = 50

// rebuildReturnList rebuilds a list path, /l/kind:id,kind:id,…, from items
// that each name a known kind and a plain ID.
func rebuildReturnList(items string) (string, bool) {
	parts := strings.Split(items, ",")
	if len(parts) == 0 || len(parts) > maxReturnListItems {
		return "", false
	}
	for _, it := range parts {
		kind, id, ok := strings.Cut(it, ":")
		if !ok || !isReturnKind(kind) || !returnIDPattern.MatchString(id) {
			return "", false
		}
	}
	return "/l/" + strings.Join(parts, ","), true
}

func validReturnTitle(t string) bool {
	if !utf8.ValidString(t) || strings.TrimSpace(t) == "" || t == "." || t == ".." {
		return false
	}
	if utf8.RuneCountInString(t) > maxReturnTitleLen {
		return false
	}
	for _, r := range t {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// rebuildReturnQuery keeps the allowed keys' first values that look like
// ours, re-encoded; a query that does not parse is dropped whole.
func rebuildReturnQuery(raw string) string {
	if raw == "" {
		return ""
	}
	in, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	out := url.Values{}
	for k, vs := range in {
		if isReturnQueryKey(k) && len(vs) > 0 && returnValuePattern.MatchString(vs[0]) {
			out.Set(k, vs[0])
		}
	}
	return out.Encode()
}
