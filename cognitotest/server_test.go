package cognitotest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

func TestNewServerAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr        string
		wantPrefix  string // "" means an error is wanted
		notLoopback bool
	}{
		{addr: "127.0.0.1:0", wantPrefix: "http://127.0.0.1:"},
		{addr: "localhost:0", wantPrefix: "http://127.0.0.1:"},
		{addr: "127.0.0.2:0", wantPrefix: "http://127.0.0.2:"},
		{addr: ":0", notLoopback: true},
		{addr: "0.0.0.0:0", notLoopback: true},
		{addr: "[::]:0", notLoopback: true},
		{addr: "192.0.2.1:0", notLoopback: true},
		{addr: "example.com:0", notLoopback: true},
		{addr: "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			s, err := rst.NewServerAt(tt.addr)
			if tt.wantPrefix != "" {
				if err != nil {
					t.Fatalf("NewServerAt(%q) = %v", tt.addr, err)
				}
				defer s.Close()
				if !strings.HasPrefix(s.URL, tt.wantPrefix) || strings.HasSuffix(s.URL, ":0") {
					t.Errorf("URL = %q, want %s<port>", s.URL, tt.wantPrefix)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("NewServerAt(%q) succeeded, want an error", tt.addr)
			}
			if got := errors.Is(err, rst.ErrNotLoopback); got != tt.notLoopback {
				t.Errorf("NewServerAt(%q) = %v; errors.Is(ErrNotLoopback) = %t, want %t", tt.addr, err, got, tt.notLoopback)
			}
		})
	}
}

func TestNewServerAtRegion(t *testing.T) {
	t.Parallel()
	if s, err := rst.NewServerAt("127.0.0.1:0", rst.WithRegion("us east")); !errors.Is(err, rst.ErrInvalidParameter) {
		if err == nil {
			s.Close()
		}
		t.Errorf("NewServerAt with region %q = %v, want ErrInvalidParameter", "us east", err)
	}
}

func TestCloseTwiceAndAfter(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client(oneShot)
	s.Close()
	s.Close()
	if _, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)}); err == nil {
		t.Error("call after Close succeeded")
	}
	if _, ok := s.ResourceServer(pool, "x"); ok {
		t.Error("ResourceServer after Close found a server")
	}
}

func TestAddUserPool(t *testing.T) {
	t.Parallel()
	s := rst.NewServer()
	t.Cleanup(s.Close)
	tests := []struct {
		id, name string
		wantErr  error
	}{
		{"us-east-1_Example1", "example", nil},
		{"us-east-1_Example1", "again", rst.ErrUserPoolExists},
		{"local_1", "a b", nil},
		{"us-east-1_", "x", rst.ErrInvalidParameter},
		{"nounderscore", "x", rst.ErrInvalidParameter},
		{"us-east-1_" + strings.Repeat("a", 46), "x", rst.ErrInvalidParameter},
		{"us-east-1_Ok2", "", rst.ErrInvalidParameter},
		{"us-east-1_Ok3", "a/b", rst.ErrInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.name, func(t *testing.T) {
			err := s.AddUserPool(tt.id, tt.name)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("AddUserPool(%q, %q) = %v, want %v", tt.id, tt.name, err, tt.wantErr)
			}
		})
	}
	out, err := s.Client().DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Example1")})
	if err != nil || aws.ToString(out.UserPool.Name) != "example" {
		t.Errorf("DescribeUserPool = %v, %v; want the pool named example", out, err)
	}
	if len(s.Requests()) != 1 {
		t.Errorf("Go methods were logged: %+v", s.Requests())
	}
}

func TestCreateUserPoolPanicsOnBadName(t *testing.T) {
	t.Parallel()
	s := rst.NewServer()
	t.Cleanup(s.Close)
	defer func() {
		if recover() == nil {
			t.Error("CreateUserPool(\"a/b\") did not panic")
		}
	}()
	s.CreateUserPool("a/b")
}

func TestWithSeedRepeatsPoolIDs(t *testing.T) {
	t.Parallel()
	ids := func(seed uint64) []string {
		s := rst.NewServer(rst.WithSeed(seed))
		defer s.Close()
		return []string{s.CreateUserPool("a"), s.CreateUserPool("b")}
	}
	first := ids(42)
	if diff := cmp.Diff(first, ids(42)); diff != "" {
		t.Errorf("same seed, different ids (-first +second):\n%s", diff)
	}
	if first[0] == first[1] {
		t.Errorf("two pools got the same id %q", first[0])
	}
}

func TestPutResourceServer(t *testing.T) {
	t.Parallel()
	s, pool := setup(t, rst.WithMaxResourceServers(1))
	tests := []struct {
		name    string
		rs      rst.ResourceServer
		wantErr error
	}{
		{"valid", rst.ResourceServer{UserPoolID: pool, Identifier: "a", Name: "A", Scopes: scopes("r", "R")}, nil},
		{"beyond the quota", rst.ResourceServer{UserPoolID: pool, Identifier: "b", Name: "B"}, nil},
		{"replace", rst.ResourceServer{UserPoolID: pool, Identifier: "a", Name: "A2"}, nil},
		{"missing pool", rst.ResourceServer{UserPoolID: "us-east-1_Nope", Identifier: "a", Name: "A"}, rst.ErrUserPoolNotFound},
		{"empty name", rst.ResourceServer{UserPoolID: pool, Identifier: "c", Name: ""}, rst.ErrInvalidParameter},
		{"slash in scope", rst.ResourceServer{UserPoolID: pool, Identifier: "c", Name: "C", Scopes: scopes("a/b", "d")}, rst.ErrInvalidParameter},
		{"repeated scope", rst.ResourceServer{UserPoolID: pool, Identifier: "c", Name: "C", Scopes: scopes("a", "d", "a", "e")}, rst.ErrInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.PutResourceServer(tt.rs)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("PutResourceServer = %v, want %v", err, tt.wantErr)
			}
		})
	}
	want := []rst.ResourceServer{
		{UserPoolID: pool, Identifier: "a", Name: "A2"},
		{UserPoolID: pool, Identifier: "b", Name: "B"},
	}
	if diff := cmp.Diff(want, s.ResourceServers(pool)); diff != "" {
		t.Errorf("ResourceServers (-want +got):\n%s", diff)
	}
	if got := s.ResourceServers("us-east-1_Nope"); got != nil {
		t.Errorf("ResourceServers(missing pool) = %v, want nil", got)
	}
}

func TestResourceServerIsACopy(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	in := rst.ResourceServer{UserPoolID: pool, Identifier: "a", Name: "A", Scopes: scopes("r", "R")}
	if err := s.PutResourceServer(in); err != nil {
		t.Fatal(err)
	}
	in.Scopes[0].Name = "changed"
	got, _ := s.ResourceServer(pool, "a")
	got.Scopes[0].Description = "changed"
	again, _ := s.ResourceServer(pool, "a")
	if diff := cmp.Diff(scopes("r", "R"), again.Scopes); diff != "" {
		t.Errorf("stored scopes changed through a copy (-want +got):\n%s", diff)
	}
}

func TestResetRequests(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	c := s.Client()
	for range 3 {
		if _, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.Requests()); n != 3 {
		t.Fatalf("logged %d requests, want 3", n)
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("logged %d requests after reset, want 0", n)
	}
	if _, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	want := []rst.Request{{Operation: "DescribeUserPool", UserPoolID: pool, Status: 200, Applied: true}}
	if diff := cmp.Diff(want, s.Requests()); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
}
