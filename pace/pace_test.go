package pace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/pace"
)

const identifier = "https://api.example.com"

// emulator starts an in-process emulator (no socket: it runs in a
// synctest bubble too) holding one pool with one resource server, and
// returns it, the pool and an SDK client with the SDK's standard retryer
// (3 attempts, a retry quota of 500 tokens) without backoff delays.
func emulator(t *testing.T) (*cognitotest.Server, string, *cip.Client) {
	t.Helper()
	srv := cognitotest.NewInProcessServer()
	t.Cleanup(srv.Close)
	pool := srv.CreateUserPool("test")
	if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: identifier, Name: "api"}); err != nil {
		t.Fatal(err)
	}
	client := srv.Client(func(o *cip.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	return srv, pool, client
}

func newPacer(t *testing.T, cfg pace.Config) *pace.Pacer {
	t.Helper()
	if cfg.Ceilings == nil {
		// Fast enough for tests that count requests.
		cfg.Ceilings = map[pace.Category]float64{pace.ResourceRead: 1000, pace.ResourceUpdate: 1000}
	}
	p, err := pace.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestOptionRetries(t *testing.T) {
	t.Parallel()
	throttle := cognitotest.Fault{Code: rserrors.CodeTooManyRequests}
	internal := cognitotest.Fault{Code: rserrors.CodeInternalError}
	limit := cognitotest.Fault{Code: rserrors.CodeLimitExceeded}
	type fail struct {
		n int
		f cognitotest.Fault
	}
	tests := []struct {
		name     string
		nilPacer bool
		retries  int
		opts     []func(*cip.Options) // before the pacer's
		twice    bool                 // pass the pacer's option twice
		fails    []fail
		requests int
		wantErr  any // nil, or a pointer to the SDK error type expected
	}{
		{name: "throttles within the budget", fails: []fail{{3, throttle}}, requests: 4},
		{name: "throttles beyond the budget", retries: 2, fails: []fail{{5, throttle}}, requests: 3,
			wantErr: new(*types.TooManyRequestsException)},
		{name: "no throttle retries", retries: -1, fails: []fail{{1, throttle}}, requests: 1,
			wantErr: new(*types.TooManyRequestsException)},
		{name: "default budget", fails: []fail{{20, throttle}}, requests: pace.DefaultThrottleRetries + 1,
			wantErr: new(*types.TooManyRequestsException)},
		{name: "limit exceeded is not retried", fails: []fail{{3, limit}}, requests: 1,
			wantErr: new(*types.LimitExceededException)},
		{name: "500s keep the SDK's 3 attempts", fails: []fail{{5, internal}}, requests: 3,
			wantErr: new(*types.InternalErrorException)},
		{name: "throttles do not count against the SDK's attempts", fails: []fail{{4, throttle}, {5, internal}}, requests: 4 + 3,
			wantErr: new(*types.InternalErrorException)},
		{name: "a per-call RetryMaxAttempts applies to the other errors", opts: []func(*cip.Options){
			func(o *cip.Options) { o.RetryMaxAttempts = 5 },
		}, fails: []fail{{2, throttle}, {9, internal}}, requests: 2 + 5, wantErr: new(*types.InternalErrorException)},
		{name: "the option passed twice retries and paces once", twice: true,
			fails: []fail{{20, throttle}}, requests: pace.DefaultThrottleRetries + 1,
			wantErr: new(*types.TooManyRequestsException)},
		{name: "nil Pacer: limit exceeded is not retried", nilPacer: true, fails: []fail{{3, limit}}, requests: 1,
			wantErr: new(*types.LimitExceededException)},
		{name: "nil Pacer: throttles keep the SDK's rules", nilPacer: true, fails: []fail{{5, throttle}}, requests: 3,
			wantErr: new(*types.TooManyRequestsException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// In a bubble: the pacing waits after each throttle pass in
			// virtual time.
			synctest.Test(t, func(t *testing.T) {
				srv, pool, client := emulator(t)
				var p *pace.Pacer
				if !tt.nilPacer {
					p = newPacer(t, pace.Config{ThrottleRetries: tt.retries})
				}
				for _, f := range tt.fails {
					srv.FailNext("CreateResourceServer", f.n, f.f)
				}
				opts := append(tt.opts, p.Option(pool, pace.ResourceUpdate))
				if tt.twice {
					opts = append(opts, p.Option(pool, pace.ResourceUpdate))
				}
				_, err := client.CreateResourceServer(context.Background(), &cip.CreateResourceServerInput{
					UserPoolId: aws.String(pool), Identifier: aws.String("https://new.example.com"), Name: aws.String("new"),
				}, opts...)
				switch {
				case tt.wantErr == nil && err != nil:
					t.Errorf("CreateResourceServer = %v, want success", err)
				case tt.wantErr != nil && !errors.As(err, tt.wantErr):
					t.Errorf("CreateResourceServer = %v, want %T", err, tt.wantErr)
				}
				if got := len(srv.Requests()); got != tt.requests {
					t.Errorf("requests sent = %d, want %d", got, tt.requests)
				}
			})
		})
	}
}

// TestOptionRetryQuota checks that throttle retries cost none of the SDK
// retryer's quota tokens: with a quota of 50 tokens, 25 throttle retries
// would take 125.
func TestOptionRetryQuota(t *testing.T) {
	t.Parallel()
	srv, pool, _ := emulator(t)
	client := srv.Client(func(o *cip.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.NewTokenRateLimit(50)
		})
	})
	p := newPacer(t, pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 5000}})
	for i := range 5 {
		srv.FailNext("DescribeResourceServer", 5, cognitotest.Fault{Code: rserrors.CodeTooManyRequests})
		_, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
			UserPoolId: aws.String(pool), Identifier: aws.String(identifier),
		}, p.Option(pool, pace.ResourceRead))
		if err != nil {
			t.Fatalf("call %d: DescribeResourceServer = %v, want success", i, err)
		}
	}
	// An InternalError still gets its SDK retry: the quota is intact.
	srv.FailNext("DescribeResourceServer", 1, cognitotest.Fault{Code: rserrors.CodeInternalError})
	if _, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String(identifier),
	}, p.Option(pool, pace.ResourceRead)); err != nil {
		t.Errorf("DescribeResourceServer after the throttles = %v, want success", err)
	}
}

// TestOptionPacesRetries checks, in virtual time, that the retries of
// throttled calls wait for their slot too: every request of the pool's
// category, attempts included, leaves at least 1/rate after the one
// before, and a throttle lowers the rate.
func TestOptionPacesRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tr := &transport{throttle: 2}
		client := fakeClient(tr)
		var logs bytes.Buffer
		p := newPacer(t, pace.Config{
			Ceilings: map[pace.Category]float64{pace.ResourceRead: 20},
			Logger:   slog.New(slog.NewJSONHandler(&logs, nil)),
		})
		const pool = "us-east-1_x"
		for range 5 {
			if _, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
				UserPoolId: aws.String(pool), Identifier: aws.String(identifier),
			}, p.Option(pool, pace.ResourceRead)); err != nil {
				t.Fatalf("DescribeResourceServer = %v", err)
			}
		}
		if len(tr.sent) != 7 {
			t.Fatalf("requests sent = %d, want 7", len(tr.sent))
		}
		for i := 1; i < len(tr.sent); i++ {
			if gap := tr.sent[i].at.Sub(tr.sent[i-1].at); gap < interval(20) {
				t.Errorf("requests %d and %d left %v apart, want at least %v", i-1, i, gap, interval(20))
			}
		}
		// The log holds one record per throttle that lowered the rate.
		var lowered []float64
		dec := json.NewDecoder(&logs)
		for {
			var rec struct {
				Msg        string
				Category   string
				UserPoolID string `json:"userPoolId"`
				Rate       float64
			}
			if err := dec.Decode(&rec); err != nil {
				break
			}
			if rec.Msg == "pace: throttled, rate lowered" && rec.Category == string(pace.ResourceRead) && rec.UserPoolID == pool {
				lowered = append(lowered, rec.Rate)
			}
		}
		if len(lowered) == 0 || lowered[0] >= 20*0.97 {
			t.Errorf("rates logged after throttles = %v, want one below 97%% of the ceiling 20", lowered)
		}
	})
}

func TestOptionWaitError(t *testing.T) {
	t.Parallel()
	srv, pool, client := emulator(t)
	p := newPacer(t, pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 0.01}})
	in := &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(identifier)}
	call := func(ctx context.Context) error {
		_, err := client.DescribeResourceServer(ctx, in, p.Option(pool, pace.ResourceRead))
		return err
	}
	if err := call(context.Background()); err != nil {
		t.Fatalf("first call = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := call(ctx)
	var werr *pace.WaitError
	if !errors.As(err, &werr) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call with a deadline before the slot = %v, want a *pace.WaitError wrapping context.DeadlineExceeded", err)
	}
	if diff := cmp.Diff(pace.WaitError{Pool: pool, Category: pace.ResourceRead}, *werr, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".Err"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("WaitError mismatch (-want +got):\n%s", diff)
	}
	if got := len(srv.Requests()); got != 1 {
		t.Errorf("requests sent = %d, want 1", got)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ceilings map[pace.Category]float64
		fields   []string
	}{
		{name: "nil means the defaults"},
		{name: "valid", ceilings: map[pace.Category]float64{pace.ClientRead: 2.5}},
		{name: "bad values", ceilings: map[pace.Category]float64{
			pace.ResourceRead: 0, pace.ResourceUpdate: math.NaN(), pace.ClientRead: math.Inf(1), pace.ClientUpdate: -1,
		}, fields: []string{
			"Ceilings[UserPoolClientRead]", "Ceilings[UserPoolClientUpdate]",
			"Ceilings[UserPoolResourceRead]", "Ceilings[UserPoolResourceUpdate]",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := pace.New(pace.Config{Ceilings: tt.ceilings})
			if len(tt.fields) == 0 {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v; want a Pacer", p, err)
				}
				return
			}
			var verr *rserrors.ValidationError
			if !errors.As(err, &verr) || p != nil {
				t.Fatalf("New = %v, %v; want nil, a *ValidationError", p, err)
			}
			var fields []string
			for _, v := range verr.Violations {
				fields = append(fields, v.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	p := newPacer(t, pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 5}})
	var nilPacer *pace.Pacer
	tests := []struct {
		name string
		p    *pace.Pacer
		c    pace.Category
		want float64
	}{
		{"paced, before any call: 97% of the ceiling", p, pace.ResourceRead, 5 * 0.97},
		{"category without a ceiling", p, pace.ClientUpdate, math.Inf(1)},
		{"nil Pacer", nilPacer, pace.ResourceRead, math.Inf(1)},
	}
	for _, tt := range tests {
		if got := tt.p.Rate("us-east-1_x", tt.c); got != tt.want {
			t.Errorf("%s: Rate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNewAccountCeilings(t *testing.T) {
	t.Parallel()
	_, err := pace.New(pace.Config{AccountCeilings: map[pace.Category]float64{
		pace.ResourceRead: -20, pace.ClientRead: math.NaN(), pace.ResourceUpdate: 15,
	}})
	var verr *rserrors.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("New = %v, want a *ValidationError", err)
	}
	var fields []string
	for _, v := range verr.Violations {
		fields = append(fields, v.Field)
	}
	want := []string{"AccountCeilings[UserPoolClientRead]", "AccountCeilings[UserPoolResourceRead]"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if _, err := pace.New(pace.Config{AccountCeilings: pace.DefaultAccountCeilings()}); err != nil {
		t.Errorf("New(DefaultAccountCeilings) = %v, want a Pacer", err)
	}
}

// TestOptionAccountCeilings sends reads to two pools at once, in virtual
// time through a transport that records when each request leaves: with
// AccountCeilings, requests leave 1/rate of the account's ceiling apart
// over both pools, and 1/rate of the pool's apart within each; without,
// the two pools' requests leave together.
func TestOptionAccountCeilings(t *testing.T) {
	t.Parallel()
	const poolRate, accountRate, perPool = 5, 6, 6
	tests := []struct {
		name    string
		account map[pace.Category]float64
		wantGap time.Duration // between any two requests
	}{
		{"account-wide", map[pace.Category]float64{pace.ResourceRead: accountRate}, interval(accountRate)},
		{"per pool only", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				tr := &transport{}
				client := fakeClient(tr)
				p := newPacer(t, pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: poolRate}, AccountCeilings: tt.account})
				var wg sync.WaitGroup
				for _, pool := range []string{"us-east-1_a", "us-east-1_b"} {
					for range perPool {
						wg.Go(func() {
							if _, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
								UserPoolId: aws.String(pool), Identifier: aws.String(identifier),
							}, p.Option(pool, pace.ResourceRead)); err != nil {
								t.Errorf("DescribeResourceServer = %v, want success", err)
							}
						})
					}
				}
				wg.Wait()
				poolGap := interval(poolRate)
				last := map[string]time.Time{}
				minGap := time.Hour
				for i, r := range tr.sent {
					if at, ok := last[r.pool]; ok && r.at.Sub(at) < poolGap {
						t.Errorf("%s: requests %v apart, want at least %v", r.pool, r.at.Sub(at), poolGap)
					}
					last[r.pool] = r.at
					if i > 0 {
						minGap = min(minGap, r.at.Sub(tr.sent[i-1].at))
					}
				}
				if len(tr.sent) != 2*perPool {
					t.Fatalf("requests sent = %d, want %d", len(tr.sent), 2*perPool)
				}
				if tt.wantGap > 0 && minGap < tt.wantGap {
					t.Errorf("shortest gap between two requests = %v, want at least %v", minGap, tt.wantGap)
				}
				if tt.wantGap == 0 && minGap != 0 {
					t.Errorf("shortest gap between two requests = %v, want 0: the pools are paced apart", minGap)
				}
			})
		})
	}
}

// transport is an SDK HTTP client that answers every request with a
// resource server (or, for the first ones, a throttle), at once, and records when each request left and for
// which pool. It suits tests in a synctest bubble, which need no network.
type transport struct {
	mu       sync.Mutex
	throttle int // how many of the first requests get TooManyRequestsException
	sent     []sentRequest
}

type sentRequest struct {
	pool string
	at   time.Time
}

func (tr *transport) Do(req *http.Request) (*http.Response, error) {
	var in struct{ UserPoolId, Identifier string }
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		return nil, err
	}
	tr.mu.Lock()
	tr.sent = append(tr.sent, sentRequest{in.UserPoolId, time.Now()})
	throttle := len(tr.sent) <= tr.throttle
	tr.mu.Unlock()
	status, answer := http.StatusOK, map[string]any{"ResourceServer": map[string]any{
		"UserPoolId": in.UserPoolId, "Identifier": in.Identifier, "Name": "api",
	}}
	if throttle {
		status, answer = http.StatusBadRequest, map[string]any{"__type": rserrors.CodeTooManyRequests, "message": "Too many requests"}
	}
	body, err := json.Marshal(answer)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    req,
	}, nil
}

// fakeClient returns an SDK client that sends through tr.
func fakeClient(tr *transport) *cip.Client {
	return cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://cognito.invalid"),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		HTTPClient:   tr,
	})
}

// TestDefault checks that Default returns one Pacer until SetDefault
// replaces it.
func TestDefault(t *testing.T) {
	first := pace.Default()
	if first == nil || pace.Default() != first {
		t.Fatalf("Default() = %p then %p, want one non-nil Pacer", first, pace.Default())
	}
	t.Cleanup(func() { pace.SetDefault(first) })
	mine := newPacer(t, pace.Config{AccountCeilings: pace.DefaultAccountCeilings()})
	pace.SetDefault(mine)
	if got := pace.Default(); got != mine {
		t.Errorf("Default() after SetDefault = %p, want %p", got, mine)
	}
	pace.SetDefault(nil)
	if got := pace.Default(); got == nil || got == mine || got == first {
		t.Errorf("Default() after SetDefault(nil) = %p, want a new Pacer", got)
	}
	if got := pace.Default().Rate("us-east-1_x", pace.ClientUpdate); got != pace.DefaultCeiling*0.97 {
		t.Errorf("Default().Rate(ClientUpdate) = %v, want 97%% of %v", got, pace.DefaultCeiling)
	}
}

// TestWithLogger checks that a Pacer of WithLogger shares its parent's
// rates and logs its own calls' decisions to its own Logger.
func TestWithLogger(t *testing.T) {
	t.Parallel()
	srv, pool, client := emulator(t)
	var parentLog, childLog bytes.Buffer
	p := newPacer(t, pace.Config{
		Ceilings: map[pace.Category]float64{pace.ResourceRead: 1000},
		Logger:   slog.New(slog.NewJSONHandler(&parentLog, nil)),
	})
	child := p.WithLogger(slog.New(slog.NewJSONHandler(&childLog, nil)))
	srv.FailNext("DescribeResourceServer", 1, cognitotest.Fault{Code: rserrors.CodeTooManyRequests})
	if _, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String(identifier),
	}, child.Option(pool, pace.ResourceRead)); err != nil {
		t.Fatalf("DescribeResourceServer = %v", err)
	}
	if got := p.Rate(pool, pace.ResourceRead); got >= 1000*0.97 {
		t.Errorf("parent's Rate after the child's throttle = %v, want below %v", got, 1000*0.97)
	}
	if parentLog.Len() != 0 || childLog.Len() == 0 {
		t.Errorf("records: parent %q, child %q; want the throttle in the child's only", parentLog.String(), childLog.String())
	}
	var nilPacer *pace.Pacer
	if nilPacer.WithLogger(slog.Default()) != nil {
		t.Errorf("nil Pacer's WithLogger is not nil")
	}
}

// interval returns the spacing of a Pacer's requests at ceiling: 1/rate at
// 97% of it.
func interval(ceiling float64) time.Duration {
	return time.Duration(float64(time.Second) / (ceiling * 0.97))
}
