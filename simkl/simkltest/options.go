package simkltest

// Options returns the options the stand-in runs with, defaults filled in
// (cmd/simkl-standin prints its client_id, secret and redirect URIs).
func (s *Simkl) Options() Options {
	o := s.opts
	o.RedirectURIs = append([]string(nil), o.RedirectURIs...)
	return o
}
