package cognitotest_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// BenchmarkDescribeResourceServer measures one SDK call through the emulator, end to end.
func BenchmarkDescribeResourceServer(b *testing.B) {
	s, pool := setup(b)
	_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API", Scopes: scopes("read", "r", "write", "w")})
	c := s.Client()
	in := &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api")}
	for b.Loop() {
		if _, err := c.DescribeResourceServer(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateResourceServer measures an update with 100 scopes (the largest allowed).
func BenchmarkUpdateResourceServer(b *testing.B) {
	s, pool := setup(b)
	_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
	var pairs []string
	for i := range 100 {
		pairs = append(pairs, fmt.Sprint("scope", i), "A description of the scope")
	}
	c := s.Client()
	in := &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api"), Name: aws.String("API"), Scopes: sdkScopes(pairs...)}
	for b.Loop() {
		if _, err := c.UpdateResourceServer(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribeParallel measures concurrent calls from one client.
func BenchmarkDescribeParallel(b *testing.B) {
	s, pool := setup(b)
	_ = s.PutResourceServer(rst.ResourceServer{UserPoolID: pool, Identifier: "api", Name: "API"})
	c := s.Client()
	in := &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String("api")}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.DescribeResourceServer(b.Context(), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
