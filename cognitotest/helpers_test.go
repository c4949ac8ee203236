package cognitotest_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	rst "github.com/scopekeeper/scopekeeper/cognitotest"
)

// setup starts an emulator closed at the end of the test and adds one user pool to it.
func setup(t testing.TB, opts ...rst.Option) (*rst.Server, string) {
	t.Helper()
	s := rst.NewServer(opts...)
	t.Cleanup(s.Close)
	return s, s.CreateUserPool("test")
}

// oneShot makes every call of a client a single request.
func oneShot(o *cip.Options) { o.RetryMaxAttempts = 1 }

// sdkScopes builds SDK scopes from name, description pairs.
func sdkScopes(pairs ...string) []types.ResourceServerScopeType {
	var out []types.ResourceServerScopeType
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, types.ResourceServerScopeType{ScopeName: aws.String(pairs[i]), ScopeDescription: aws.String(pairs[i+1])})
	}
	return out
}

// scopes builds emulator scopes from name, description pairs.
func scopes(pairs ...string) []rst.Scope {
	var out []rst.Scope
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, rst.Scope{Name: pairs[i], Description: pairs[i+1]})
	}
	return out
}

// fromSDK converts an SDK resource server to the emulator's type, for cmp.Diff.
func fromSDK(rs *types.ResourceServerType) rst.ResourceServer {
	if rs == nil {
		return rst.ResourceServer{}
	}
	out := rst.ResourceServer{UserPoolID: aws.ToString(rs.UserPoolId), Identifier: aws.ToString(rs.Identifier), Name: aws.ToString(rs.Name)}
	for _, sc := range rs.Scopes {
		out.Scopes = append(out.Scopes, rst.Scope{Name: aws.ToString(sc.ScopeName), Description: aws.ToString(sc.ScopeDescription)})
	}
	return out
}

// apiError returns the code and message of the service error in err's chain.
func apiError(t testing.TB, err error) (code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a service error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// codes returns the error codes of the logged requests ("" for successes).
func codes(reqs []rst.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Code
	}
	return out
}
