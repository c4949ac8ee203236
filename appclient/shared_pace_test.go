package appclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/appclient"
	"github.com/scopekeeper/scopekeeper/internal/pacetest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// readTransport is an SDK HTTP client for a pool with one resource server
// and no app client, which answers at once and records when each
// resource-server read (UserPoolResourceRead) left. It needs no network,
// so the tests that use it run in a synctest bubble, in virtual time.
type readTransport struct {
	mu    sync.Mutex
	reads []time.Time
}

func (tr *readTransport) Do(req *http.Request) (*http.Response, error) {
	op := req.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	var answer any
	switch op {
	case "DescribeResourceServer":
		answer = map[string]any{"ResourceServer": map[string]any{"UserPoolId": "p", "Identifier": ordersAPI, "Name": "orders"}}
	case "ListResourceServers":
		answer = map[string]any{"ResourceServers": []any{}}
	case "ListUserPoolClients":
		answer = map[string]any{"UserPoolClients": []any{}}
	default:
		return nil, fmt.Errorf("readTransport: unexpected %s", op)
	}
	if strings.Contains(op, "ResourceServer") {
		tr.mu.Lock()
		tr.reads = append(tr.reads, time.Now())
		tr.mu.Unlock()
	}
	body, err := json.Marshal(answer)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    req,
	}, nil
}

// TestClientsSharePacer checks that a resourceserver.Client and an
// appclient.Client on one SDK client share one pacer for the
// resource-server reads of a pool, by default and with Options.Pacer:
// their reads, sent at once, leave 1/rate apart over both Clients. With a
// Pacer each, as before the Clients shared one, they leave in pairs.
func TestClientsSharePacer(t *testing.T) {
	t.Parallel()
	shared := pacetest.New(t, pace.Config{})
	own := func() *pace.Pacer { return pacetest.New(t, pace.Config{}) }
	tests := []struct {
		name     string
		rs, apps *pace.Pacer // Options.Pacer of each Client
		shared   bool
	}{
		{name: "default: pace.Default()", shared: true},
		{name: "one Pacer passed to both", rs: shared, apps: shared, shared: true},
		{name: "a Pacer each", rs: own(), apps: own()},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				pool := fmt.Sprintf("us-east-1_Shared%d", i) // a pool no other test paces
				tr := &readTransport{}
				api := cip.New(cip.Options{
					Region:       "us-east-1",
					BaseEndpoint: aws.String("http://cognito.invalid"),
					Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
					HTTPClient:   tr,
				})
				rs := resourceserver.New(api, func(o *resourceserver.Options) { o.Pacer = tt.rs })
				apps := appclient.New(api, func(o *appclient.Options) { o.Pacer = tt.apps })
				const each = 3
				var wg sync.WaitGroup
				for range each {
					wg.Go(func() {
						if _, err := rs.Get(context.Background(), pool, ordersAPI); err != nil {
							t.Errorf("Get() error = %v", err)
						}
					})
					wg.Go(func() {
						if _, err := apps.Grants(context.Background(), pool); err != nil {
							t.Errorf("Grants() error = %v", err)
						}
					})
				}
				wg.Wait()
				if len(tr.reads) != 2*each {
					t.Fatalf("resource-server reads = %d, want %d", len(tr.reads), 2*each)
				}
				gap := time.Duration(math.MaxInt64)
				for i := 1; i < len(tr.reads); i++ {
					gap = min(gap, tr.reads[i].Sub(tr.reads[i-1]))
				}
				interval := time.Duration(float64(time.Second) / shared.Rate("us-east-1_Unused", pace.ResourceRead))
				switch {
				case tt.shared && gap < interval:
					t.Errorf("shortest gap between two resource-server reads = %v, want at least %v", gap, interval)
				case !tt.shared && gap != 0:
					t.Errorf("shortest gap between two resource-server reads = %v, want 0 with a Pacer each", gap)
				}
			})
		})
	}
}

// TestNewRateOptions checks the rule that rate options follow in every
// package: a negative, infinite or NaN rate, or a rate set together with
// Pacer, makes New panic with a message that names the option; before,
// appclient took a negative or infinite rate for "no limit".
func TestNewRateOptions(t *testing.T) {
	t.Parallel()
	pacetest.RateOptions(t, "appclient", func(r pacetest.Rates) {
		appclient.New(newFake(), func(o *appclient.Options) {
			o.ReadRate, o.UpdateRate, o.DisableRateLimit, o.Pacer = r.ReadRate, r.UpdateRate, r.DisableRateLimit, r.Pacer
		})
	})
}
