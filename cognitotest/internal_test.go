package cognitotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// waitArrivals waits until n requests have reached the handler.
func (s *Server) waitArrivals(t *testing.T, n uint64) {
	t.Helper()
	for {
		s.mu.Lock()
		seq := s.seq
		s.mu.Unlock()
		if seq >= n {
			return
		}
		select {
		case <-t.Context().Done():
			t.Fatal("request never arrived")
		case <-time.After(time.Millisecond):
		}
	}
}

// TestCloseEndsDelays checks that Close returns while a request waits on an hour-long delay,
// and that the client then gets an error.
func TestCloseEndsDelays(t *testing.T) {
	t.Parallel()
	s := NewServer()
	pool := s.CreateUserPool("p")
	s.FailNext("", 1, Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, err := s.Client(func(o *cip.Options) { o.RetryMaxAttempts = 1 }).DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		done <- err
	}()
	s.waitArrivals(t, 1)
	s.Close()
	if err := <-done; err == nil {
		t.Error("call delayed across Close succeeded")
	}
	if got := s.Requests(); len(got) != 1 || got[0].Status != 0 || !got[0].Injected {
		t.Errorf("Requests() = %+v, want one unanswered injected request", got)
	}
}

func TestBucket(t *testing.T) {
	t.Parallel()
	start := time.Unix(1000, 0)
	tests := []struct {
		name    string
		rate    float64
		burst   int
		offsets []time.Duration
		want    []bool
	}{
		{"burst of 5 then empty", 5, 0, []time.Duration{0, 0, 0, 0, 0, 0}, []bool{true, true, true, true, true, false}},
		{"refill of one token", 5, 0, []time.Duration{0, 0, 0, 0, 0, 0, 200 * time.Millisecond, 200 * time.Millisecond}, []bool{true, true, true, true, true, false, true, false}},
		{"fractional rate has a burst of 1", 0.5, 0, []time.Duration{0, 0, time.Second, 2 * time.Second}, []bool{true, false, false, true}},
		{"refill stops at the burst", 2, 0, []time.Duration{0, time.Hour, time.Hour, time.Hour, time.Hour}, []bool{true, true, true, false, false}},
		{"burst 1 refuses a call sooner than 1/rate", 5, 1, []time.Duration{0, 199 * time.Millisecond, 400 * time.Millisecond, 401 * time.Millisecond}, []bool{true, false, true, false}},
		{"burst 1 after a quiet spell", 5, 1, []time.Duration{0, time.Hour, time.Hour}, []bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bucket
			for i, off := range tt.offsets {
				if got := b.take(start.Add(off), tt.rate, tt.burst); got != tt.want[i] {
					t.Errorf("take #%d at +%v = %t, want %t", i, off, got, tt.want[i])
				}
			}
		})
	}
}

// FuzzServeHTTP checks that any body, for any operation, gets a well-formed answer: a request
// id, status 200 with a JSON object, or an error status with {"__type", "message"} matching the
// X-Amzn-ErrorType header.
func FuzzServeHTTP(f *testing.F) {
	ops := make([]string, 0, len(operations))
	for name := range operations {
		ops = append(ops, name)
	}
	f.Add(uint8(0), `{}`)
	f.Add(uint8(1), `{"UserPoolId":"us-east-1_Fuzz1","Identifier":"api","Name":"A","Scopes":[{"ScopeName":"r","ScopeDescription":"d"}]}`)
	f.Add(uint8(2), `{"UserPoolId":"us-east-1_Fuzz1","MaxResults":3,"NextToken":"cnM6dXMtZWFzdC0xX0Z1enoxCmE"}`)
	f.Add(uint8(3), `{"UserPoolId":"us-east-1_Fuzz1","Identifier":"api","Name":"a\u000bb","Scopes":[null,{"ScopeName":"x/y"}]}`)
	f.Add(uint8(4), `{"PoolName":"p","MaxResults":60}`)
	f.Add(uint8(5), `[1,2`)
	f.Add(uint8(6), `{"UserPoolId":"us-east-1_Fuzz1","ClientName":"c","GenerateSecret":true,"AllowedOAuthFlowsUserPoolClient":true,"AllowedOAuthFlows":["client_credentials"],"AllowedOAuthScopes":["api/r"],"TokenValidityUnits":{"AccessToken":"minutes"},"AccessTokenValidity":5}`)
	f.Add(uint8(7), `{"UserPoolId":"us-east-1_Fuzz1","ClientId":"abc","RefreshTokenRotation":{"Feature":"ENABLED","RetryGracePeriodSeconds":61},"CallbackURLs":["http://x#y",null]}`)
	s := NewServer(WithMaxResourceServers(3))
	f.Cleanup(s.Close)
	if err := s.AddUserPool("us-east-1_Fuzz1", "fuzz"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		name := ops[int(op)%len(ops)]
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", targetPrefix+name)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		w := httptest.NewRecorder()
		s.serveHTTP(w, req)
		if w.Header().Get("X-Amzn-Requestid") == "" {
			t.Fatal("no X-Amzn-Requestid")
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s answered %d with a body that is not a JSON object: %q", name, w.Code, w.Body)
		}
		switch w.Code {
		case http.StatusOK:
			if w.Header().Get("X-Amzn-ErrorType") != "" || out["__type"] != nil {
				t.Fatalf("success with an error: %q", w.Body)
			}
		case http.StatusBadRequest, http.StatusInternalServerError:
			code := w.Header().Get("X-Amzn-ErrorType")
			if code == "" || out["__type"] != code || out["message"] == "" {
				t.Fatalf("error answer %q with X-Amzn-ErrorType %q", w.Body, code)
			}
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}

// FuzzCheckText checks that a body checkText accepts decodes without replacement characters that
// the body did not hold: encoding/json never alters an accepted value.
func FuzzCheckText(f *testing.F) {
	for _, seed := range []string{`"abc"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`, `"\\ud800"`, "\"\xff\"", `"\u00e9\ufffd"`, `"\ud800\u0041"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if checkText([]byte(body)) != nil {
			return
		}
		var s string
		if json.Unmarshal([]byte(body), &s) != nil {
			return
		}
		if strings.ContainsRune(s, utf8.RuneError) && !strings.ContainsRune(body, utf8.RuneError) && !strings.Contains(strings.ToLower(body), `\ufffd`) {
			t.Fatalf("checkText accepted %q, which decodes to %q", body, s)
		}
	})
}
