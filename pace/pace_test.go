package pace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/pace"
)

const identifier = "https://api.example.com"

// emulator starts an emulator holding one pool with one resource server,
// and returns it, the pool and an SDK client with the SDK's standard
// retryer (3 attempts, a retry quota of 500 tokens) without backoff
// delays.
func emulator(t *testing.T) (*cognitotest.Server, string, *cip.Client) {
	t.Helper()
	srv := cognitotest.NewServer()
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
	}
}

// TestOptionRetryQuota checks that throttle retries cost none of the SDK
// retryer's quota tokens: 150 throttle retries would take 750 of its 500.
func TestOptionRetryQuota(t *testing.T) {
	t.Parallel()
	srv, pool, client := emulator(t)
	p := newPacer(t, pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 5000}})
	for i := range 30 {
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

// TestOptionPacesRetries checks that the retries of throttled calls wait
// for their slot too: every request of the pool's category, attempts
// included, leaves spaced (by half the interval at least here, as the
// transport sees the requests after their signing, whose time varies),
// and a throttle lowers the rate.
func TestOptionPacesRetries(t *testing.T) {
	t.Parallel()
	srv, pool, client := emulator(t)
	var logs bytes.Buffer
	p := newPacer(t, pace.Config{
		Ceilings: map[pace.Category]float64{pace.ResourceRead: 20},
		Logger:   slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	srv.FailNext("DescribeResourceServer", 2, cognitotest.Fault{Code: rserrors.CodeTooManyRequests})
	var sent []time.Time
	record := func(o *cip.Options) {
		o.HTTPClient = recorder{o.HTTPClient, &sent}
	}
	for range 5 {
		if _, err := client.DescribeResourceServer(context.Background(), &cip.DescribeResourceServerInput{
			UserPoolId: aws.String(pool), Identifier: aws.String(identifier),
		}, record, p.Option(pool, pace.ResourceRead)); err != nil {
			t.Fatalf("DescribeResourceServer = %v", err)
		}
	}
	if len(sent) != 7 {
		t.Fatalf("requests sent = %d, want 7", len(sent))
	}
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].Sub(sent[i-1]); gap < time.Second/40 {
			t.Errorf("requests %d and %d left %v apart, want at least %v", i-1, i, gap, time.Second/40)
		}
	}
	// The log holds one record per throttle that lowered the rate.
	var lowered []float64
	dec := json.NewDecoder(&logs)
	for {
		var rec struct {
			Msg      string
			Category string
			Rate     float64
		}
		if err := dec.Decode(&rec); err != nil {
			break
		}
		if rec.Msg == "pace: throttled, rate lowered" && rec.Category == string(pace.ResourceRead) {
			lowered = append(lowered, rec.Rate)
		}
	}
	if len(lowered) == 0 || lowered[0] >= 20*0.97 {
		t.Errorf("rates logged after throttles = %v, want one below 97%% of the ceiling 20", lowered)
	}
}

// recorder records when each request leaves for the transport.
type recorder struct {
	next cip.HTTPClient
	sent *[]time.Time
}

func (r recorder) Do(req *http.Request) (*http.Response, error) {
	*r.sent = append(*r.sent, time.Now())
	return r.next.Do(req)
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
