package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

const (
	testPool = "us-east-1_Test12345"
	testID   = "https://inventory.example.com"
)

var (
	readScope  = resourceserver.Scope{Name: "inventory.read", Description: "Read stock levels"}
	writeScope = resourceserver.Scope{Name: "inventory.write", Description: "Change stock levels"}
	otherScope = resourceserver.Scope{Name: "inventory.other", Description: "Another replica's scope"}
)

// raceAPI runs beforeCreate just before passing a CreateResourceServer
// on, to let another writer win the race to create the resource server.
type raceAPI struct {
	resourceserver.API
	beforeCreate func()
}

func (a raceAPI) CreateResourceServer(ctx context.Context, in *cip.CreateResourceServerInput, optFns ...func(*cip.Options)) (*cip.CreateResourceServerOutput, error) {
	a.beforeCreate()
	return a.API.CreateResourceServer(ctx, in, optFns...)
}

type call struct{ Operation, Code string }

func TestEnsure(t *testing.T) {
	t.Parallel()
	other := cognitotest.ResourceServer{
		UserPoolID: testPool, Identifier: testID, Name: "Inventory API of another replica",
		Scopes: []cognitotest.Scope{{Name: otherScope.Name, Description: otherScope.Description}},
	}
	emu := func(s ...resourceserver.Scope) []cognitotest.Scope {
		out := make([]cognitotest.Scope, len(s))
		for i, x := range s {
			out[i] = cognitotest.Scope{Name: x.Name, Description: x.Description}
		}
		return out
	}
	tests := []struct {
		name         string
		pool         string                      // the pool Ensure works in
		existing     *cognitotest.ResourceServer // stored before the call
		createdFirst *cognitotest.ResourceServer // stored just before the Create is sent
		wantCalls    []call
		wantErr      error // matched with errors.Is
		wantStored   *cognitotest.ResourceServer
	}{
		{
			name: "missing server is created",
			pool: testPool,
			wantCalls: []call{
				{"DescribeResourceServer", "ResourceNotFoundException"},
				{"CreateResourceServer", ""},
			},
			wantStored: &cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Inventory API", Scopes: emu(readScope, writeScope),
			},
		},
		{
			name:     "missing scopes are added, others kept",
			pool:     testPool,
			existing: &other,
			wantCalls: []call{
				{"DescribeResourceServer", ""},
				{"UpdateResourceServer", ""},
				{"DescribeResourceServer", ""},
			},
			wantStored: &cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: other.Name, Scopes: emu(otherScope, readScope, writeScope),
			},
		},
		{
			name: "nothing to do",
			pool: testPool,
			existing: &cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Inventory API", Scopes: emu(writeScope, readScope),
			},
			wantCalls: []call{{"DescribeResourceServer", ""}},
			wantStored: &cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Inventory API", Scopes: emu(writeScope, readScope),
			},
		},
		{
			name:         "another replica creates it first",
			pool:         testPool,
			createdFirst: &other,
			wantCalls: []call{
				{"DescribeResourceServer", "ResourceNotFoundException"},
				{"CreateResourceServer", "InvalidParameterException"},
				{"DescribeResourceServer", ""},
				{"UpdateResourceServer", ""},
				{"DescribeResourceServer", ""},
			},
			wantStored: &cognitotest.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: other.Name, Scopes: emu(otherScope, readScope, writeScope),
			},
		},
		{
			name: "missing user pool",
			pool: "us-east-1_Missing1",
			wantCalls: []call{
				{"DescribeResourceServer", "ResourceNotFoundException"},
			},
			wantErr: rserrors.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := cognitotest.NewServer()
			t.Cleanup(srv.Close)
			if err := srv.AddUserPool(testPool, "test"); err != nil {
				t.Fatal(err)
			}
			if tt.existing != nil {
				if err := srv.PutResourceServer(*tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			api := raceAPI{API: srv.Client(), beforeCreate: func() {
				if tt.createdFirst != nil {
					if err := srv.PutResourceServer(*tt.createdFirst); err != nil {
						t.Error(err)
					}
				}
			}}
			c := resourceserver.New(api, func(o *resourceserver.Options) { o.DisableRateLimit = true })
			want := resourceserver.ResourceServer{
				UserPoolID: tt.pool, Identifier: testID, Name: "Inventory API",
				Scopes: []resourceserver.Scope{readScope, writeScope},
			}
			_, err := c.Ensure(t.Context(), want)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Ensure() error = %v, want %v", err, tt.wantErr)
			}
			var got []call
			for _, r := range srv.Requests() {
				got = append(got, call{r.Operation, r.Code})
			}
			if diff := cmp.Diff(tt.wantCalls, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			var stored *cognitotest.ResourceServer
			if rs, ok := srv.ResourceServer(testPool, testID); ok {
				stored = &rs
			}
			if diff := cmp.Diff(tt.wantStored, stored); diff != "" {
				t.Errorf("stored server (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnsureReplicas starts many replicas at once, each with its own
// SDK client and Client, sharing only a Locker, and checks that no scope
// is lost and that exactly one Create succeeded.
func TestEnsureReplicas(t *testing.T) {
	t.Parallel()
	const n = 8
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	if err := srv.AddUserPool(testPool, "test"); err != nil {
		t.Fatal(err)
	}
	locker := resourceserver.NewMemoryLocker()
	var wg sync.WaitGroup
	errs := make([]error, n)
	var want []cognitotest.Scope
	for i := range n {
		own := resourceserver.Scope{Name: fmt.Sprintf("inventory.job-%d", i), Description: fmt.Sprintf("Jobs of replica %d", i)}
		want = append(want, cognitotest.Scope{Name: own.Name, Description: own.Description})
		c := resourceserver.New(srv.Client(), func(o *resourceserver.Options) {
			o.Locker = locker
			o.DisableRateLimit = true
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Ensure(t.Context(), resourceserver.ResourceServer{
				UserPoolID: testPool, Identifier: testID, Name: "Inventory API",
				Scopes: []resourceserver.Scope{readScope, own},
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Ensure() = %v", i, err)
		}
	}
	want = append(want, cognitotest.Scope{Name: readScope.Name, Description: readScope.Description})
	stored, ok := srv.ResourceServer(testPool, testID)
	if !ok {
		t.Fatalf("the emulator holds no %s", testID)
	}
	byName := cmpopts.SortSlices(func(a, b cognitotest.Scope) bool { return a.Name < b.Name })
	if diff := cmp.Diff(want, stored.Scopes, byName); diff != "" {
		t.Errorf("stored scopes (-want +got):\n%s", diff)
	}
	created := 0
	for _, r := range srv.Requests() {
		if r.Operation == "CreateResourceServer" && r.Code == "" {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d CreateResourceServer requests succeeded, want 1", created)
	}
}

// TestRun runs the demonstration against the emulator.
// The emulator runs in process, in a synctest bubble: the pacing waits
// pass in virtual time. main runs it over loopback in CI.
func TestRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := cognitotest.NewInProcessServer()
		t.Cleanup(srv.Close)
		pool := srv.CreateUserPool("test")
		var out strings.Builder
		err := run(t.Context(), &out, srv.Client, pool)
		if err != nil {
			t.Fatalf("run() = %v\noutput:\n%s", err, out.String())
		}
		want := `ensure-scopes
4 replicas start at once, each ensuring "inventory.read" and a scope of its own on https://inventory.example.com
run 1: 4 replicas ready; Create succeeded for 1 of them, the others added their scopes to it
scopes of "Inventory API":
  inventory.job-1      Run the jobs of replica 1
  inventory.job-2      Run the jobs of replica 2
  inventory.job-3      Run the jobs of replica 3
  inventory.job-4      Run the jobs of replica 4
  inventory.read       Read stock levels (every replica)
run 2: 4 replicas ready; 4 requests: 4 reads, 0 writes
`
		if diff := cmp.Diff(want, out.String()); diff != "" {
			t.Errorf("output (-want +got):\n%s", diff)
		}
	})
}
