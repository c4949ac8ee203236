// Command ensure-scopes shows what a backend runs at start-up to make sure
// the scopes it checks in access tokens exist: resourceserver.Client.Ensure, which adds
// missing scopes, creates the resource server if it is missing, and is
// safe when several replicas run it at the same moment.
//
// It simulates a rolling deployment: four replicas start together, each
// with its own SDK client and resourceserver.Client as separate processes
// would have, and each ensures the shared scope "inventory.read" plus one
// of its own. All four see the resource server missing and try to create
// it; one wins and the others fall back to adding their scopes. It prints
// the final scope set, then starts four replicas again to show that a
// second run changes nothing and sends no write.
//
//	go run ./examples/ensure-scopes
//
// It runs on a Cognito emulator started in the process; main says how to
// run it on a user pool of your own. It imports only public packages, so
// it can be copied out of this repository.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// replicas is how many replicas the demonstration starts at once.
const replicas = 4

// main runs the example on a Cognito emulator started in the process, so
// nothing leaves the machine. To run it on a user pool of your own, call
// run with that pool's ID and
//
//	func(o ...func(*cognitoidentityprovider.Options)) *cognitoidentityprovider.Client {
//		return cognitoidentityprovider.NewFromConfig(cfg, o...) // cfg from config.LoadDefaultConfig
//	}
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	srv := cognitotest.NewServer()
	err := run(ctx, os.Stdout, srv.Client, srv.CreateUserPool("ensure-scopes"))
	srv.Close()
	stop()
	if err != nil {
		log.Fatalf("ensure-scopes: %v", err)
	}
}

// apiFunc returns an SDK client for the user pool, changed by optFns; each
// call returns a separate client, as separate processes would have.
type apiFunc = func(optFns ...func(*cip.Options)) *cip.Client

func run(ctx context.Context, out io.Writer, api apiFunc, pool string) error {
	id := "https://inventory.example.com"
	fmt.Fprintln(out, "ensure-scopes")
	fmt.Fprintf(out, "%d replicas start at once, each ensuring %q and a scope of its own on %s\n",
		replicas, "inventory.read", id)

	// The replicas here are goroutines, so an in-memory Locker stands in
	// for the lock that real replicas would share in DynamoDB or Redis.
	locker := resourceserver.NewMemoryLocker()
	for round := 1; round <= 2; round++ {
		var calls callCounts
		rs, err := startReplicas(ctx, api, pool, locker, &calls, id)
		if err != nil {
			return err
		}
		switch round {
		case 1:
			fmt.Fprintf(out, "run 1: %d replicas ready; Create succeeded for %d of them, the others added their scopes to it\n",
				replicas, calls.created.Load())
			fmt.Fprintf(out, "scopes of %q:\n", rs.Name)
			for _, s := range rs.Scopes {
				fmt.Fprintf(out, "  %-20s %s\n", s.Name, s.Description)
			}
		case 2:
			fmt.Fprintf(out, "run 2: %d replicas ready; %d requests: %d reads, %d writes\n",
				replicas, calls.reads.Load()+calls.writes.Load(), calls.reads.Load(), calls.writes.Load())
		}
	}
	return nil
}

// startReplicas runs Client.Ensure from every replica at once and returns
// the resource server as it then is, with the scopes sorted by name. It
// fails if a replica failed or if a scope that a replica ensured is
// missing.
func startReplicas(ctx context.Context, api apiFunc, pool string, locker resourceserver.Locker, calls *callCounts, id string) (resourceserver.ResourceServer, error) {
	ready := make(chan struct{})
	wants := make([]resourceserver.ResourceServer, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		// Each replica has its own SDK client and Client, as a process
		// would; only the lock is shared.
		c := resourceserver.New(countingAPI{API: api(), calls: calls}, func(o *resourceserver.Options) {
			o.Locker = locker
		})
		wants[i] = resourceserver.ResourceServer{
			UserPoolID: pool,
			Identifier: id,
			Name:       "Inventory API",
			Scopes: []resourceserver.Scope{
				{Name: "inventory.read", Description: "Read stock levels (every replica)"},
				{Name: fmt.Sprintf("inventory.job-%d", i+1), Description: fmt.Sprintf("Run the jobs of replica %d", i+1)},
			},
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			_, errs[i] = c.Ensure(ctx, wants[i])
		}()
	}
	close(ready)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return resourceserver.ResourceServer{}, fmt.Errorf("replica %d: %w", i+1, err)
		}
	}
	// Every replica has finished, so a fresh read shows all their scopes.
	rs, err := resourceserver.New(api()).Get(ctx, pool, id)
	if err != nil {
		return rs, err
	}
	for i := range replicas {
		if missing := missingScopes(rs, wants[i].Scopes); len(missing) > 0 {
			return rs, fmt.Errorf("replica %d: scopes %v are missing", i+1, missing)
		}
	}
	slices.SortFunc(rs.Scopes, func(a, b resourceserver.Scope) int { return strings.Compare(a.Name, b.Name) })
	return rs, nil
}

// missingScopes returns the names of the scopes of want that rs lacks or
// describes differently.
func missingScopes(rs resourceserver.ResourceServer, want []resourceserver.Scope) []string {
	var missing []string
	for _, w := range want {
		if !slices.Contains(rs.Scopes, w) {
			missing = append(missing, w.Name)
		}
	}
	return missing
}

// callCounts counts the requests that the replicas send.
type callCounts struct {
	reads   atomic.Int64 // Describe and List requests
	writes  atomic.Int64 // Create, Update and Delete requests
	created atomic.Int64 // successful CreateResourceServer requests
}

// countingAPI is a resourceserver.API that counts the requests it passes
// on: a wrapper like this is also how a service can meter its Cognito use.
type countingAPI struct {
	resourceserver.API
	calls *callCounts
}

// CreateResourceServer counts one write, and one creation if it succeeds.
func (a countingAPI) CreateResourceServer(ctx context.Context, in *cip.CreateResourceServerInput, optFns ...func(*cip.Options)) (*cip.CreateResourceServerOutput, error) {
	a.calls.writes.Add(1)
	out, err := a.API.CreateResourceServer(ctx, in, optFns...)
	if err == nil {
		a.calls.created.Add(1)
	}
	return out, err
}

// DescribeResourceServer counts one read.
func (a countingAPI) DescribeResourceServer(ctx context.Context, in *cip.DescribeResourceServerInput, optFns ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error) {
	a.calls.reads.Add(1)
	return a.API.DescribeResourceServer(ctx, in, optFns...)
}

// UpdateResourceServer counts one write.
func (a countingAPI) UpdateResourceServer(ctx context.Context, in *cip.UpdateResourceServerInput, optFns ...func(*cip.Options)) (*cip.UpdateResourceServerOutput, error) {
	a.calls.writes.Add(1)
	return a.API.UpdateResourceServer(ctx, in, optFns...)
}

// DeleteResourceServer counts one write.
func (a countingAPI) DeleteResourceServer(ctx context.Context, in *cip.DeleteResourceServerInput, optFns ...func(*cip.Options)) (*cip.DeleteResourceServerOutput, error) {
	a.calls.writes.Add(1)
	return a.API.DeleteResourceServer(ctx, in, optFns...)
}

// ListResourceServers counts one read.
func (a countingAPI) ListResourceServers(ctx context.Context, in *cip.ListResourceServersInput, optFns ...func(*cip.Options)) (*cip.ListResourceServersOutput, error) {
	a.calls.reads.Add(1)
	return a.API.ListResourceServers(ctx, in, optFns...)
}
