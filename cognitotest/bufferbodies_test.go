package cognitotest_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// closingBody is a request body that, like smithy-go's, fails every read
// once it has been closed.
type closingBody struct {
	r      io.Reader
	closed bool
}

var errBodyClosed = errors.New("body closed")

func (b *closingBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errBodyClosed
	}
	return b.r.Read(p)
}

func (b *closingBody) Close() error { b.closed = true; return nil }

// doFunc is an HTTP client made of a function.
type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestBufferBodies checks that the client BufferBodies returns hands the
// next client a body that it can still read after the caller closed the
// original, as smithy-go does when the response headers arrive.
func TestBufferBodies(t *testing.T) {
	t.Parallel()
	errRead := errors.New("read failed")
	tests := []struct {
		name     string
		body     io.ReadCloser
		want     string // what next reads from the body it gets
		wantNext bool   // whether next is called
		wantErr  error
	}{
		{name: "body", body: &closingBody{r: strings.NewReader(`{"UserPoolId":"us-east-1_Test12345"}`)}, want: `{"UserPoolId":"us-east-1_Test12345"}`, wantNext: true},
		{name: "nil body", wantNext: true},
		{name: "NoBody", body: http.NoBody, wantNext: true},
		{name: "unreadable body", body: io.NopCloser(iotest.ErrReader(errRead)), wantErr: errRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			original := tt.body
			called := false
			next := doFunc(func(r *http.Request) (*http.Response, error) {
				called = true
				if original != nil {
					original.Close() // what smithy-go may do before net/http's last read
				}
				got := ""
				if r.Body != nil {
					b, err := io.ReadAll(r.Body)
					if err != nil {
						t.Fatalf("next: reading the body: %v", err)
					}
					got = string(b)
				}
				if got != tt.want {
					t.Errorf("next read body %q, want %q", got, tt.want)
				}
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
			})
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Body = tt.body
			_, err = rst.BufferBodies(next).Do(req)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Do() error = %v, want %v", err, tt.wantErr)
			}
			if called != tt.wantNext {
				t.Errorf("next called: %t, want %t", called, tt.wantNext)
			}
		})
	}
}
