package validate_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/scopekeeper/scopekeeper/validate"
)

// NewBenchInput returns the realistic, valid UpdateResourceServerInput the
// benchmarks measure: Name "Orders API", Identifier
// "https://orders.example.com" and n scopes with short names such as
// "read:orders-17" and descriptions of 30 to 60 bytes. It panics if n is
// over 200, where names would repeat, or if a description falls outside
// 30 to 60 bytes.
func NewBenchInput(n int) *cip.UpdateResourceServerInput {
	actions := []string{"read", "write", "delete", "admin"}
	resources := []string{"orders", "invoices", "customers", "refunds", "shipments"}
	if n > 200 {
		panic(fmt.Sprintf("NewBenchInput(%d): at most 200 distinct scopes", n))
	}
	in := &cip.UpdateResourceServerInput{
		UserPoolId: aws.String("us-east-1_AbCdEf123"),
		Identifier: aws.String("https://orders.example.com"),
		Name:       aws.String("Orders API"),
		Scopes:     make([]types.ResourceServerScopeType, n),
	}
	for i := range in.Scopes {
		a, r := actions[i%len(actions)], resources[i/len(actions)%len(resources)]
		num := strconv.Itoa(i / (len(actions) * len(resources)))
		desc := "Allows a client to " + a + " the " + r + " of store " + num
		if len(desc) < 30 || len(desc) > 60 {
			panic(fmt.Sprintf("NewBenchInput: description %q is %d bytes", desc, len(desc)))
		}
		in.Scopes[i] = types.ResourceServerScopeType{
			ScopeName:        aws.String(a + ":" + r + "-" + num),
			ScopeDescription: aws.String(desc),
		}
	}
	return in
}

// BenchmarkUpdateResourceServerInput compares the hand-written validator
// with the regexp-based reference on the same valid 100-scope input.
func BenchmarkUpdateResourceServerInput(b *testing.B) {
	in := NewBenchInput(validate.MaxScopes)
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := validate.UpdateResourceServerInput(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !refUpdateResourceServerInput(in) {
				b.Fatal("reference refused the benchmark input")
			}
		}
	})
}

// BenchmarkUpdateResourceServerInputInvalid measures the failure path:
// a 100-scope input with three violations, each built into an error.
func BenchmarkUpdateResourceServerInputInvalid(b *testing.B) {
	in := NewBenchInput(validate.MaxScopes)
	in.Name = aws.String("Orders/API")
	in.Scopes[10].ScopeName = aws.String("orders/read")
	in.Scopes[99].ScopeName = in.Scopes[0].ScopeName
	b.ReportAllocs()
	for b.Loop() {
		if err := validate.UpdateResourceServerInput(in); err == nil {
			b.Fatal("invalid input accepted")
		}
	}
}
