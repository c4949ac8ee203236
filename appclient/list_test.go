package appclient_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// collectList drains c.List, returning the clients yielded before the
// first error, how many errors were yielded, and the first.
func collectList(ctx context.Context, c *appclient.Client, pool string) ([]appclient.ClientRef, int, error) {
	var refs []appclient.ClientRef
	var first error
	errs := 0
	for r, err := range c.List(ctx, pool) {
		if err != nil {
			if errs++; first == nil {
				first = err
			}
			continue
		}
		refs = append(refs, r)
	}
	return refs, errs, first
}

// wantRefs returns the refs of machine clients c0000 to c<n-1>.
func wantRefs(n int) []appclient.ClientRef {
	var out []appclient.ClientRef
	for i := range n {
		id := fmt.Sprintf("c%04d", i)
		out = append(out, appclient.ClientRef{ID: id, Name: "machine-" + id})
	}
	return out
}

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		clients   int
		wantPages int
	}{
		{"empty pool", 0, 1},
		{"one page", 60, 1},
		{"three pages", 130, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := grantsFake(tt.clients)
			refs, _, err := collectList(context.Background(), appclient.New(f, noWait), testPool)
			if err != nil {
				t.Fatalf("List() error = %v", err)
			}
			if diff := cmp.Diff(wantRefs(tt.clients), refs); diff != "" {
				t.Errorf("List() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string(nil), nonList(f.ops())); diff != "" {
				t.Errorf("calls other than ListUserPoolClients (-want +got):\n%s", diff)
			}
			ins := listInputs(f)
			if len(ins) != tt.wantPages {
				t.Fatalf("ListUserPoolClients calls = %d, want %d", len(ins), tt.wantPages)
			}
			for i, in := range ins {
				if aws.ToInt32(in.MaxResults) != 60 || aws.ToString(in.UserPoolId) != testPool {
					t.Errorf("call %d: MaxResults %d, pool %q; want 60, %q", i, aws.ToInt32(in.MaxResults), aws.ToString(in.UserPoolId), testPool)
				}
				if want := i * 60; (i == 0) != (in.NextToken == nil) || i > 0 && aws.ToString(in.NextToken) != fmt.Sprint(want) {
					t.Errorf("call %d: NextToken %v, want the one page %d returned", i, aws.ToString(in.NextToken), i-1)
				}
			}
		})
	}
}

// nonList returns the operations of ops other than ListUserPoolClients.
func nonList(ops []string) []string {
	var out []string
	for _, op := range ops {
		if op != opListClients {
			out = append(out, op)
		}
	}
	return out
}

// listInputs returns the inputs of the ListUserPoolClients calls, in order.
func listInputs(f *fakeAPI) []*cip.ListUserPoolClientsInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ins []*cip.ListUserPoolClientsInput
	for _, c := range f.log {
		if in, ok := c.Input.(*cip.ListUserPoolClientsInput); ok {
			ins = append(ins, in)
		}
	}
	return ins
}

func TestListStopsWhenAsked(t *testing.T) {
	f := grantsFake(130)
	var got []string
	for r, err := range appclient.New(f, noWait).List(context.Background(), testPool) {
		if err != nil {
			t.Fatalf("List() error = %v", err)
		}
		if got = append(got, r.ID); len(got) == 61 {
			break
		}
	}
	if n := f.count(opListClients); n != 2 {
		t.Errorf("ListUserPoolClients calls after a break at the 61st client = %d, want 2", n)
	}
}

func TestListDuplicateAndRepeatedToken(t *testing.T) {
	f := newFake()
	f.OnListClients = func(_ context.Context, in *cip.ListUserPoolClientsInput) (*cip.ListUserPoolClientsOutput, error) {
		// Every page repeats the same client and the same token: the list
		// must end after the second page, yielding the client once.
		return &cip.ListUserPoolClientsOutput{
			UserPoolClients: []types.UserPoolClientDescription{{ClientId: aws.String("a"), ClientName: aws.String("alpha")}},
			NextToken:       aws.String("same"),
		}, nil
	}
	refs, _, err := collectList(context.Background(), appclient.New(f, noWait), testPool)
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	if diff := cmp.Diff([]appclient.ClientRef{{ID: "a", Name: "alpha"}}, refs); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
	if n := f.count(opListClients); n != 2 {
		t.Errorf("ListUserPoolClients calls = %d, want 2", n)
	}
}

func TestListErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		pool      string
		fail      error // answer of the second ListUserPoolClients
		wantRefs  int
		wantCalls int
		check     func(error) bool
	}{
		{"invalid pool", context.Background(), "bad", nil, 0, 0, rserrors.IsValidation},
		{"cancelled", cancelled, testPool, nil, 0, 0, func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"missing pool on page 2", context.Background(), testPool,
			&types.ResourceNotFoundException{Message: aws.String("User pool " + testPool + " does not exist.")}, 60, 2, rserrors.IsNotFound},
		{"not authorized on page 2", context.Background(), testPool,
			&types.NotAuthorizedException{Message: aws.String("no")}, 60, 2, func(err error) bool {
				var e *rserrors.NotAuthorizedError
				return errors.As(err, &e)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := grantsFake(130)
			if tt.fail != nil {
				f.OnListClients = func(_ context.Context, in *cip.ListUserPoolClientsInput) (*cip.ListUserPoolClientsOutput, error) {
					if in.NextToken != nil {
						return nil, tt.fail
					}
					return &cip.ListUserPoolClientsOutput{UserPoolClients: descriptions(f, 60), NextToken: aws.String("60")}, nil
				}
			}
			refs, n, err := collectList(tt.ctx, appclient.New(f, noWait), tt.pool)
			var op *appclient.OpError
			if !tt.check(err) || !errors.As(err, &op) || op.Op != "List" || op.UserPoolID != tt.pool || n != 1 {
				t.Fatalf("List(%q) error = %v (%d errors), want one matching *OpError of List", tt.pool, err, n)
			}
			if len(refs) != tt.wantRefs || f.count(opListClients) != tt.wantCalls {
				t.Errorf("List(%q) yielded %d clients in %d calls, want %d in %d", tt.pool, len(refs), f.count(opListClients), tt.wantRefs, tt.wantCalls)
			}
		})
	}
}

// descriptions returns the first n app clients of f as ListUserPoolClients
// lists them.
func descriptions(f *fakeAPI, n int) []types.UserPoolClientDescription {
	var out []types.UserPoolClientDescription
	for _, r := range wantRefs(n) {
		c, _ := f.client(testPool, r.ID)
		out = append(out, types.UserPoolClientDescription{UserPoolId: c.UserPoolId, ClientId: c.ClientId, ClientName: c.ClientName})
	}
	return out
}

func TestListClientOptions(t *testing.T) {
	f := grantsFake(130)
	c := appclient.New(f, func(o *appclient.Options) {
		o.ClientOptions = []func(*cip.Options){func(o *cip.Options) { o.AppID = "mine" }}
	})
	if _, _, err := collectList(context.Background(), c, testPool); err != nil {
		t.Fatalf("List() error = %v", err)
	}
	// The caller's ClientOptions reach every call, as on every other call
	// path.
	if diff := cmp.Diff([]string{"mine", "mine", "mine"}, f.appIDs()); diff != "" {
		t.Errorf("AppID of each call (-want +got):\n%s", diff)
	}
}

// TestEmulatorList lists 130 app clients through the real SDK client: three
// ListUserPoolClients of at most 60, nothing else.
func TestEmulatorList(t *testing.T) {
	s := startEmulator(t)
	for _, r := range wantRefs(130) {
		putClient(t, s, machine(r.ID))
	}
	s.ResetRequests()
	refs, _, err := collectList(context.Background(), emuClient(s), testPool)
	if err != nil {
		t.Fatalf("List() error = %v", err)
	}
	if diff := cmp.Diff(wantRefs(130), refs); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{opListClients: 3}, countOps(s)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}

	_, _, err = collectList(context.Background(), emuClient(s), "us-east-1_Missing1")
	if !rserrors.IsNotFound(err) {
		t.Errorf("List(missing pool) error = %v, want not found", err)
	}
}

// TestListIsPaced checks that List waits in the UserPoolClientRead
// category that Get uses: after a Get at 0.5 request per second, the first
// page's wait outlasts a 100ms deadline, so List fails at once with
// context.DeadlineExceeded and sends nothing. It runs in a synctest
// bubble, on the in-process emulator.
func TestListIsPaced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testListIsPaced)
}

func testListIsPaced(t *testing.T) {
	s := grantsInProcess(t, 130, 1)
	c := appclient.New(s.Client(), func(o *appclient.Options) { o.ReadRate = 0.5 })
	if _, err := c.Get(context.Background(), testPool, "c0000"); err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := collectList(ctx, c, testPool)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("List() error = %v, want context.DeadlineExceeded", err)
	}
	if diff := cmp.Diff(map[string]int{opDescribeClient: 1}, countOps(s)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
