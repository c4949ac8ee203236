package cognitotest

import (
	"bytes"
	"cmp"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// A Clock is where the emulator reads the time: the dates of user pools and app clients, the
// refills of the rate quotas ([WithRateLimit]) and the waits of a [Fault]'s Delay. Its methods
// have the signatures of k8s.io/utils/clock's Clock, so such a clock (or its fake) fits.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// realClock is the default Clock: the time package's.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// WithClock makes the emulator read the time from c instead of the time package (nil keeps the
// time package). Inside a testing/synctest bubble the time package's clock is already virtual,
// so a test there needs no Clock of its own: it needs [NewInProcessServer].
func WithClock(c Clock) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// inProcessURL is the URL of a server made by NewInProcessServer: the .invalid domain never
// resolves, so a client that does not use the in-process transport fails at once.
const inProcessURL = "http://cognitotest.invalid"

// NewInProcessServer returns an emulator that listens on no socket: it is reached only through
// [Server.HTTPClient] or [Server.Client], which call its handler in the caller's goroutine. It
// behaves as [NewServer]'s in every other way, except that the Host check ([WithHostCheck]) does
// not apply, since no request crosses a network, and that a [Fault] with Drop makes the call
// fail with a "connection reset by peer" error instead of closing a connection. Its URL is
// "http://cognitotest.invalid", which resolves nowhere.
//
// Use it for tests inside a testing/synctest bubble: a loopback socket is not durably blocking,
// so a bubble whose goroutines wait on one never advances its virtual clock, while the
// in-process transport only blocks on the emulator's own mutex, channels and timers. Create the
// server inside the bubble and close it there. NewInProcessServer panics if the region of
// [WithRegion] is invalid, as NewServer does.
func NewInProcessServer(opts ...Option) *Server {
	s, err := newServer(inProcessURL, opts)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// HTTPClient returns an HTTP client whose transport hands each request to the emulator's handler
// in the calling goroutine, without a socket, for an SDK client's Options.HTTPClient (as
// [Server.Client] uses it for a server made by [NewInProcessServer]). It works for any Server,
// whatever its URL says. The request is handled exactly as one that came over the network,
// except for the Host check, which does not apply; the request's context ends a Fault's Delay as
// a client that hangs up would. A dropped call (a [Fault] with Drop, or a server closing) fails
// with a *net.OpError holding syscall.ECONNRESET, which the SDK retries like a reset
// connection.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: inProcessTransport{s}}
}

// inProcessTransport is the RoundTripper of HTTPClient.
type inProcessTransport struct{ s *Server }

// RoundTrip serves req with the emulator's handler.
func (t inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.Host = cmp.Or(req.Host, req.URL.Host)
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "in-process"
	w := &memWriter{header: make(http.Header)}
	t.s.serveHTTP(w, r)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if w.dropped {
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	}
	status := cmp.Or(w.status, http.StatusOK)
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header,
		Body:          io.NopCloser(bytes.NewReader(w.body.Bytes())),
		ContentLength: int64(w.body.Len()),
		Request:       req,
	}, nil
}

// memWriter is the ResponseWriter of the in-process transport.
type memWriter struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	dropped bool // the handler closed the "connection" without an answer
}

func (w *memWriter) Header() http.Header { return w.header }

func (w *memWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *memWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
