package cognitotest_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

const testAuth = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"

// rawAnswer is an answer to a request sent by post.
type rawAnswer struct {
	status  int
	code    string // the X-Amzn-ErrorType header
	message string // the message member of an error body
	size    int    // the body's length in bytes
}

// post sends body to the emulator as a call of op, with host as the Host header unless it is "".
func post(t *testing.T, s *rst.Server, host, op string, body []byte) rawAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	req.Header.Set("X-Amz-Target", target+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", testAuth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := rawAnswer{status: resp.StatusCode, code: resp.Header.Get("X-Amzn-ErrorType"), size: len(data)}
	if out.code != "" {
		var e struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("error body %q: %v", data, err)
		}
		out.message = e.Message
	}
	return out
}

// hugeScopesBody is a CreateResourceServer body of at most 1 MiB holding n empty scopes.
func hugeScopesBody(pool string, n int) []byte {
	var b strings.Builder
	b.WriteString(`{"UserPoolId":"` + pool + `","Identifier":"api","Name":"API","Scopes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func TestHugeInvalidRequestGetsShortAnswer(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	// As many scopes as 1 MiB holds (about 349,500).
	n := (1<<20 - len(hugeScopesBody(pool, 0)) + 1) / 3
	body := hugeScopesBody(pool, n)
	got := post(t, s, "", "CreateResourceServer", body)
	if got.code != "InvalidParameterException" {
		t.Fatalf("answer %+v, want InvalidParameterException", got)
	}
	// The list is too long, and each scope lacks both members.
	total := 1 + 2*n
	wantPrefix := fmt.Sprintf("%d validation errors detected: Value '[ResourceServerScopeType(scopeName=null, scopeDescription=null), ", total)
	wantSuffix := fmt.Sprintf("; and %d more", total-10)
	if !strings.HasPrefix(got.message, wantPrefix) || !strings.HasSuffix(got.message, wantSuffix) {
		t.Errorf("message = %.200q...%q, want it to start with %q and end with %q", got.message, got.message[max(0, len(got.message)-40):], wantPrefix, wantSuffix)
	}
	if got.size > 8<<10 {
		t.Errorf("answer of %d bytes, want at most 8 KiB", got.size)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || len(reqs[0].Message) > 8<<10 {
		t.Errorf("log holds %d requests, the last with a message of %d bytes; want 1 of at most 8 KiB", len(reqs), len(reqs[len(reqs)-1].Message))
	}
}

// TestHugeRequestsKeepNoMemory sends two 1 MiB invalid requests and checks that the heap left
// after them (answers and log included) grows by less than the bodies sent: the emulator keeps
// nothing in proportion to a request. (Before the answers and log were bounded, each such
// request left a 96 MB message in the log.) It does not run in parallel, so that other tests do
// not disturb the measure.
func TestHugeRequestsKeepNoMemory(t *testing.T) {
	s, pool := setup(t)
	n := (1<<20 - len(hugeScopesBody(pool, 0)) + 1) / 3
	body := hugeScopesBody(pool, n)
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for range 2 {
		if got := post(t, s, "", "CreateResourceServer", body); got.code != "InvalidParameterException" {
			t.Fatalf("answer %+v, want InvalidParameterException", got)
		}
	}
	after := heap()
	growth := int64(after) - int64(before)
	t.Logf("heap before %d KiB, after 2 requests of %d KiB: %d KiB (growth %d KiB)", before>>10, len(body)>>10, after>>10, growth>>10)
	if growth > int64(len(body)) {
		t.Errorf("heap grew by %d bytes after 2 requests, more than one request body (%d bytes)", growth, len(body))
	}
	runtime.KeepAlive(body)
}

func TestLongValuesAreShortened(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	long := strings.Repeat("é", 100_000)
	tests := []struct {
		name    string
		op      string
		body    string
		want    string // the message
		logPool string // the logged UserPoolID
	}{
		{"long name", "CreateResourceServer", `{"UserPoolId":"` + pool + `","Identifier":"api","Name":"` + long + `"}`,
			"2 validation errors detected: Value '" + strings.Repeat("é", 512) + "... (100000 characters)' at 'name' failed to satisfy constraint: Member must have length less than or equal to 256; " +
				"Value '" + strings.Repeat("é", 512) + `... (100000 characters)' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`, pool},
		{"long pool id", "DescribeUserPool", `{"UserPoolId":"` + long + `"}`,
			"2 validation errors detected: Value '" + strings.Repeat("é", 512) + "... (100000 characters)' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55; " +
				"Value '" + strings.Repeat("é", 512) + `... (100000 characters)' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`,
			strings.Repeat("é", 512) + "... (100000 characters)"},
		{"long token", "ListResourceServers", `{"UserPoolId":"` + pool + `","NextToken":"` + strings.Repeat("x", 100_000) + `"}`,
			"Invalid pagination token: " + strings.Repeat("x", 512) + "... (100000 characters)", pool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetRequests()
			got := post(t, s, "", tt.op, []byte(tt.body))
			if diff := cmp.Diff(tt.want, got.message); diff != "" {
				t.Errorf("%s message (-want +got):\n%s", tt.op, diff)
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].UserPoolID != tt.logPool || reqs[0].Message != shortened(tt.want) {
				t.Errorf("Requests() = %.300v, want one entry with the pool id %.40q and the message shortened", reqs, tt.logPool)
			}
		})
	}
}

// shortened is s cut as the request log cuts it: its first 512 code points and its length.
func shortened(s string) string {
	r := []rune(s)
	if len(r) <= 512 {
		return s
	}
	return string(r[:512]) + fmt.Sprintf("... (%d characters)", len(r))
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	// A valid request padded with spaces to just over 1 MiB.
	body := []byte(`{"UserPoolId":"` + pool + `"}` + strings.Repeat(" ", 1<<20))
	if got := post(t, s, "", "DescribeUserPool", body); got.status != 400 || got.code != "SerializationException" {
		t.Errorf("body of %d bytes: answer %+v, want 400 SerializationException", len(body), got)
	}
	body = body[:1<<20]
	if got := post(t, s, "", "DescribeUserPool", body); got.status != 200 {
		t.Errorf("body of %d bytes: answer %+v, want 200", len(body), got)
	}
}

func TestRequestLogIsBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []rst.Option
		want []string // the logged pool ids
	}{
		{"last three", []rst.Option{rst.WithRequestLogSize(3)}, []string{"us-east-1_P3", "us-east-1_P4", "us-east-1_P5"}},
		{"none", []rst.Option{rst.WithRequestLogSize(0)}, nil},
		{"default keeps all five", nil, []string{"us-east-1_P1", "us-east-1_P2", "us-east-1_P3", "us-east-1_P4", "us-east-1_P5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := setup(t, tt.opts...)
			c := s.Client(oneShot)
			for i := 1; i <= 5; i++ {
				_, _ = c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(fmt.Sprintf("us-east-1_P%d", i))})
			}
			var got []string
			for _, r := range s.Requests() {
				got = append(got, r.UserPoolID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("logged pools (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidFaultsAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault rst.Fault
	}{
		{"status 200 with a code", rst.Fault{Code: "InternalErrorException", Status: 200}},
		{"status 200 alone", rst.Fault{Status: 200}},
		{"status 302", rst.Fault{Code: "X", Status: 302}},
		{"status 600", rst.Fault{Status: 600}},
		{"status 1000", rst.Fault{Code: "X", Status: 1000}},
		{"negative status", rst.Fault{Status: -1}},
		{"code with a newline", rst.Fault{Code: "Bad\nCode"}},
		{"code with a space", rst.Fault{Code: "Bad Code"}},
		{"negative delay", rst.Fault{Delay: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, pool := setup(t)
			if err := s.FailNext("", 1, tt.fault); !errors.Is(err, rst.ErrInvalidFault) {
				t.Errorf("FailNext(%+v) = %v, want ErrInvalidFault", tt.fault, err)
			}
			if err := s.SetFaultRate(1, tt.fault); !errors.Is(err, rst.ErrInvalidFault) {
				t.Errorf("SetFaultRate(1, %+v) = %v, want ErrInvalidFault", tt.fault, err)
			}
			// Nothing was set: the next call is answered normally.
			if _, err := s.Client(oneShot).DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
				t.Errorf("DescribeUserPool after a refused fault = %v, want success", err)
			}
		})
	}
	t.Run("NaN rate", func(t *testing.T) {
		s, _ := setup(t)
		if err := s.SetFaultRate(math.NaN()); !errors.Is(err, rst.ErrInvalidFault) {
			t.Errorf("SetFaultRate(NaN) = %v, want ErrInvalidFault", err)
		}
	})
	t.Run("valid faults are accepted", func(t *testing.T) {
		s, _ := setup(t)
		for _, f := range []rst.Fault{{Status: 400}, {Status: 599, Code: "X"}, {Code: "aws.cognito#Code:extra"}, {Delay: time.Millisecond}} {
			if err := s.FailNext("", 1, f); err != nil {
				t.Errorf("FailNext(%+v) = %v, want nil", f, err)
			}
		}
		if err := s.SetFaultRate(0.5, rst.Fault{Status: 503}); err != nil {
			t.Errorf("SetFaultRate(0.5, 503) = %v, want nil", err)
		}
	})
}

func TestPageTokensAreSealed(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	other := s.CreateUserPool("other")
	for _, p := range []string{pool, other} {
		for _, id := range []string{"a", "b", "c"} {
			if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: p, Identifier: id, Name: "N"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := s.Client(oneShot)
	ctx := t.Context()
	page, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("ListResourceServers = %v, %v; want a page and a token", page, err)
	}
	pools, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	if err != nil || pools.NextToken == nil {
		t.Fatalf("ListUserPools = %v, %v; want a page and a token", pools, err)
	}
	issued := aws.ToString(page.NextToken)
	raw, err := base64.RawURLEncoding.DecodeString(issued)
	if err != nil {
		t.Fatal(err)
	}
	raw[0] ^= 1
	tests := []struct {
		name  string
		pool  string
		token string
	}{
		{"the old unsealed form", pool, base64.RawURLEncoding.EncodeToString([]byte("rs:" + pool + "\na"))},
		{"another pool's list", other, issued},
		{"the user pools' list", pool, aws.ToString(pools.NextToken)},
		{"a tampered token", pool, base64.RawURLEncoding.EncodeToString(raw)},
		{"another server's token", pool, func() string {
			s2, p2 := setup(t)
			for _, id := range []string{"a", "b"} {
				if err := s2.PutResourceServer(rst.ResourceServer{UserPoolID: p2, Identifier: id, Name: "N"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s2.AddUserPool(pool, "same id"); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"a", "b"} {
				if err := s2.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: id, Name: "N"}); err != nil {
					t.Fatal(err)
				}
			}
			out, err := s2.Client().ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(1)})
			if err != nil {
				t.Fatal(err)
			}
			return aws.ToString(out.NextToken)
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(tt.pool), NextToken: aws.String(tt.token)})
			var invalid *types.InvalidParameterException
			if !errors.As(err, &invalid) {
				t.Errorf("ListResourceServers(%s, %q) = %v, want InvalidParameterException", tt.pool, tt.token, err)
			}
		})
	}
	next, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), NextToken: page.NextToken})
	if err != nil || len(next.ResourceServers) != 2 || aws.ToString(next.ResourceServers[0].Identifier) != "b" {
		t.Errorf("ListResourceServers with the issued token = %v, %v; want servers b and c", next, err)
	}
}

func TestBodyMustBeUTF8(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	tests := []struct {
		name     string
		desc     string // raw JSON text of the scope description, quotes included
		wantCode string // "" means accepted
		want     string // the stored description when accepted
	}{
		{"invalid byte", "\"r\xffd\"", "SerializationException", ""},
		{"truncated sequence", "\"r\xe2\x82\"", "SerializationException", ""},
		{"lone high surrogate escape", `"a\ud800b"`, "SerializationException", ""},
		{"high surrogate at the end", `"a\ud800"`, "SerializationException", ""},
		{"lone low surrogate escape", `"\udc00"`, "SerializationException", ""},
		{"high then non-surrogate", `"\ud800\u0041"`, "SerializationException", ""},
		{"surrogate pair escape", `"\ud83d\ude00"`, "", "\U0001F600"},
		{"escaped backslash before u", `"\\ud800"`, "", `\ud800`},
		{"plain UTF-8", "\"caf\u00e9\"", "", "caf\u00e9"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("api%d", i)
			body := `{"UserPoolId":"` + pool + `","Identifier":"` + id + `","Name":"N","Scopes":[{"ScopeName":"r","ScopeDescription":` + tt.desc + `}]}`
			got := post(t, s, "", "CreateResourceServer", []byte(body))
			stored, ok := s.ResourceServer(pool, id)
			if tt.wantCode != "" {
				if got.code != tt.wantCode || ok {
					t.Errorf("answer %+v, stored %t; want %s and nothing stored", got, ok, tt.wantCode)
				}
				return
			}
			if got.status != 200 || !ok || len(stored.Scopes) != 1 || stored.Scopes[0].Description != tt.want {
				t.Errorf("answer %+v, stored %+v; want description %q", got, stored, tt.want)
			}
		})
	}
}

func TestHostCheck(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	open, _ := setup(t, rst.WithHostCheck(false))
	body := []byte(`{"UserPoolId":"` + pool + `"}`)
	tests := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.1:9229", true},
		{"127.1.2.3:80", true},
		{"localhost", true},
		{"LocalHost:9229", true},
		{"localhost.:1", true},
		{"[::1]", true},
		{"[::1]:9229", true},
		{"evil.example", false},
		{"evil.example:9229", false},
		{"127.0.0.1.evil.example", false},
		{"localhost.evil.example", false},
		{"10.0.0.1:9229", false},
		{"[::2]:9229", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got := post(t, s, tt.host, "DescribeUserPool", body)
			if tt.ok {
				if got.status != 200 {
					t.Errorf("Host %q: answer %+v, want 200", tt.host, got)
				}
			} else if got.status != http.StatusForbidden || got.code != "AccessDeniedException" {
				t.Errorf("Host %q: answer %+v, want 403 AccessDeniedException", tt.host, got)
			}
			if got := post(t, open, tt.host, "DescribeUserPool", body); got.status == http.StatusForbidden {
				t.Errorf("Host %q with WithHostCheck(false): answer %+v, want no Host refusal", tt.host, got)
			}
		})
	}
}
