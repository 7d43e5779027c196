package static

// The vendored htmx, taken from the npm registry's htmx.org package
// (package/dist/htmx.min.js); see README.md for why 2.x and how to update.
// New refuses to start if the embedded file does not match HTMXSHA256.
const (
	HTMXVersion = "2.0.11"
	HTMXSHA256  = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
)
