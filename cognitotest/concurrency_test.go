package cognitotest_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// TestConcurrentClients runs 100 goroutines, each with its own SDK client, doing mixed
// operations on one pool, some on their own server and some on a shared one.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	s, pool := setup(t, rst.WithMaxResourceServers(300))
	if err := s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "shared", Name: "Shared"}); err != nil {
		t.Fatal(err)
	}
	const workers = 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- worker(t, s.Client(), pool, i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	for i := range workers {
		id := fmt.Sprintf("https://api.example.com/%d", i)
		got, ok := s.ResourceServer(pool, id)
		if i%3 == 0 {
			if ok {
				t.Errorf("server %s survived its deletion", id)
			}
			continue
		}
		want := rst.ResourceServer{UserPoolID: pool, Identifier: id, Name: fmt.Sprint("worker ", i), Scopes: scopes("read", "r", "write", "w")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("server %s (-want +got):\n%s", id, diff)
		}
	}
	// Each update of the shared server is atomic: its scopes all come from one writer.
	shared, _ := s.ResourceServer(pool, "shared")
	if len(shared.Scopes) != 2 || shared.Scopes[0].Description != shared.Name || shared.Scopes[1].Description != shared.Name {
		t.Errorf("shared server mixes writes: %+v", shared)
	}
	reqs := s.Requests()
	if len(reqs) != workers*6+workers/3+1 {
		t.Errorf("logged %d requests, want %d", len(reqs), workers*6+workers/3+1)
	}
	for _, r := range reqs {
		if r.Status != 200 {
			t.Errorf("request %+v failed", r)
		}
	}
}

func worker(t *testing.T, c *cip.Client, pool string, i int) error {
	ctx := t.Context()
	id := fmt.Sprintf("https://api.example.com/%d", i)
	if _, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String("new"), Scopes: sdkScopes("read", "r")}); err != nil {
		return fmt.Errorf("worker %d create: %w", i, err)
	}
	if _, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)}); err != nil {
		return fmt.Errorf("worker %d describe: %w", i, err)
	}
	if _, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String(fmt.Sprint("worker ", i)), Scopes: sdkScopes("read", "r", "write", "w")}); err != nil {
		return fmt.Errorf("worker %d update: %w", i, err)
	}
	mark := fmt.Sprint("w", i)
	if _, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("shared"), Name: aws.String(mark), Scopes: sdkScopes("a", mark, "b", mark)}); err != nil {
		return fmt.Errorf("worker %d update shared: %w", i, err)
	}
	if _, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: aws.String(pool), MaxResults: aws.Int32(50)}); err != nil {
		return fmt.Errorf("worker %d list: %w", i, err)
	}
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		return fmt.Errorf("worker %d describe pool: %w", i, err)
	}
	if i%3 == 0 {
		if _, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(id)}); err != nil {
			return fmt.Errorf("worker %d delete: %w", i, err)
		}
	}
	return nil
}
