package resourceserver_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// wireServer is an httptest server that speaks Cognito's awsJson1_1
// protocol just enough to answer errors: it fails the first failures
// requests with code and status, answers later ones with body, and counts
// requests per operation.
type wireServer struct {
	*httptest.Server
	code     string
	status   int
	failures int
	body     string

	mu     sync.Mutex
	counts map[string]int
	total  int
}

func newWireServer(t *testing.T, code string, status, failures int, body string) *wireServer {
	t.Helper()
	w := &wireServer{code: code, status: status, failures: failures, body: body, counts: make(map[string]int)}
	w.Server = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.Close)
	return w
}

func (w *wireServer) serve(rw http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	w.mu.Lock()
	w.counts[op]++
	w.total++
	fail := w.total <= w.failures
	n := w.total
	w.mu.Unlock()
	rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
	rw.Header().Set("X-Amzn-Requestid", fmt.Sprintf("req-%d", n))
	if fail {
		rw.WriteHeader(w.status)
		fmt.Fprintf(rw, `{"__type":%q,"message":"injected %s"}`, w.code, w.code)
		return
	}
	fmt.Fprint(rw, w.body)
}

func (w *wireServer) count(op string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.counts[op]
}

// sdkClient returns a real SDK client for srv with the standard retryer
// (3 attempts) and no backoff delay.
func sdkClient(srv *httptest.Server, wrap func(aws.Retryer) aws.Retryer) *cip.Client {
	var r aws.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
	if wrap != nil {
		r = wrap(r)
	}
	return cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   cognitotest.BufferBodies(srv.Client()),
		Retryer:      r,
	})
}

// v1Retryer hides every method but those of aws.Retryer.
type v1Retryer struct{ aws.Retryer }

const describeBody = `{"ResourceServer":{"UserPoolId":"us-east-1_Test12345","Identifier":"https://orders.example.com","Name":"Orders API","Scopes":[{"ScopeName":"orders.read","ScopeDescription":"Read orders"}]}}`

func TestLimitExceededIsSentOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		wrap func(aws.Retryer) aws.Retryer
	}{
		{"RetryerV2", nil},
		{"Retryer", func(r aws.Retryer) aws.Retryer { return v1Retryer{r} }},
		{"AddWithMaxAttempts", func(r aws.Retryer) aws.Retryer { return retry.AddWithMaxAttempts(r, 5) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newWireServer(t, "LimitExceededException", 400, 100, "")
			c := resourceserver.New(sdkClient(srv.Server, tt.wrap))
			_, err := c.Create(t.Context(), makeServer(readScope))
			if !rserrors.IsLimitExceeded(err) {
				t.Fatalf("Create() error = %v, want LimitExceeded", err)
			}
			var mapped *rserrors.LimitExceededError
			var raw *types.LimitExceededException
			if !errors.As(err, &mapped) || !errors.As(err, &raw) {
				t.Errorf("Create() error %v is not both *rserrors.LimitExceededError and *types.LimitExceededException", err)
			}
			if mapped != nil && (mapped.StatusCode != 400 || mapped.RequestID != "req-1") {
				t.Errorf("LimitExceededError status %d request id %q, want 400 and req-1", mapped.StatusCode, mapped.RequestID)
			}
			if got := srv.count("CreateResourceServer"); got != 1 {
				t.Errorf("Create() sent %d requests, want 1", got)
			}
		})
	}
}

// TestRawSDKRetriesLimitExceeded is the control: without the Client's
// per-call option, the SDK's standard retryer retries the quota error.
func TestRawSDKRetriesLimitExceeded(t *testing.T) {
	t.Parallel()
	srv := newWireServer(t, "LimitExceededException", 400, 100, "")
	in := &cip.CreateResourceServerInput{UserPoolId: aws.String(testPool), Identifier: aws.String(testID), Name: aws.String("Orders")}
	_, err := sdkClient(srv.Server, nil).CreateResourceServer(t.Context(), in)
	if !rserrors.IsLimitExceeded(err) {
		t.Fatalf("CreateResourceServer() error = %v, want LimitExceeded", err)
	}
	if got := srv.count("CreateResourceServer"); got != 3 {
		t.Errorf("raw CreateResourceServer() sent %d requests, want 3", got)
	}
}

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     string
		status   int
		failures int
		wantErr  func(error) bool // nil: success expected
		want     int              // requests sent
	}{
		// A throttle is retried after its pacing wait, within the
		// pacer's budget (pace.DefaultThrottleRetries), on top of the
		// SDK's attempts; a server error keeps the SDK's 3 attempts.
		{"TooManyRequestsException", 400, 100, rserrors.IsTooManyRequests, 1 + pace.DefaultThrottleRetries},
		{"InternalErrorException", 500, 100, rserrors.IsInternalError, 3},
		{"TooManyRequestsException", 400, 2, nil, 3},
		{"InternalErrorException", 500, 2, nil, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s x%d", tt.code, tt.failures), func(t *testing.T) {
			t.Parallel()
			for _, wrap := range []func(aws.Retryer) aws.Retryer{nil, func(r aws.Retryer) aws.Retryer { return v1Retryer{r} }} {
				srv := newWireServer(t, tt.code, tt.status, tt.failures, describeBody)
				// A high ceiling keeps the adaptive waits of a throttle storm short.
				fast := func(o *resourceserver.Options) { o.ReadRate = 1000 }
				got, err := resourceserver.New(sdkClient(srv.Server, wrap), fast).Get(t.Context(), testPool, testID)
				if tt.wantErr != nil {
					if !tt.wantErr(err) {
						t.Errorf("Get() error = %v, want %s", err, tt.code)
					}
				} else if err != nil || got.Name != "Orders API" {
					t.Errorf("Get() = %+v, %v, want Orders API, nil", got, err)
				}
				if n := srv.count("DescribeResourceServer"); n != tt.want {
					t.Errorf("Get() sent %d requests, want %d", n, tt.want)
				}
			}
		})
	}
}

// TestEmptyAnswerOnTheWire checks, through the real SDK client, that a
// DescribeResourceServer answered 200 with an empty body or "{}" (as a
// proxy may answer) stops Rename before any Update.
func TestEmptyAnswerOnTheWire(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "{}", `{"ResourceServer":{}}`} {
		t.Run(fmt.Sprintf("%q", body), func(t *testing.T) {
			t.Parallel()
			srv := newWireServer(t, "", 200, 0, body)
			_, err := resourceserver.New(sdkClient(srv.Server, nil), unpaced).Rename(t.Context(), testPool, testID, "New name")
			if !rserrors.IsInvalidResponse(err) {
				t.Errorf("Rename() error = %v, want an invalid response", err)
			}
			if n := srv.count("UpdateResourceServer"); n != 0 {
				t.Errorf("%d Updates sent, want 0", n)
			}
		})
	}
}
