package validate_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// fakeCognito is an httptest server that answers every Cognito operation
// with a minimal valid JSON body and counts the requests by operation.
type fakeCognito struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string]int // operation name -> requests
}

const targetPrefix = "AWSCognitoIdentityProviderService."

// answers holds a minimal valid response body for each operation the
// tests call.
var answers = map[string]string{
	"CreateResourceServer":   `{"ResourceServer":{"UserPoolId":"us-east-1_AbC","Identifier":"orders","Name":"Orders"}}`,
	"UpdateResourceServer":   `{"ResourceServer":{"UserPoolId":"us-east-1_AbC","Identifier":"orders","Name":"Orders"}}`,
	"DescribeResourceServer": `{"ResourceServer":{"UserPoolId":"us-east-1_AbC","Identifier":"orders","Name":"Orders"}}`,
	"DeleteResourceServer":   `{}`,
	"ListResourceServers":    `{"ResourceServers":[]}`,
	"DescribeUserPool":       `{"UserPool":{"Id":"not a pool id"}}`,
}

func newFakeCognito(t testing.TB) *fakeCognito {
	f := &fakeCognito{got: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		f.mu.Lock()
		f.got[op]++
		f.mu.Unlock()
		body, ok := answers[op]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"UnknownOperationException","message":"unknown operation"}`)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// requests returns the number of requests per operation so far.
func (f *fakeCognito) requests() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := make(map[string]int, len(f.got))
	for k, v := range f.got {
		m[k] = v
	}
	return m
}

// client returns a real SDK client that talks to f, with optFns applied.
func (f *fakeCognito) client(optFns ...func(*cip.Options)) *cip.Client {
	return cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   f.srv.Client(),
	}, optFns...)
}

// call is one SDK call made by a test.
type call struct {
	op string
	do func(context.Context, *cip.Client, ...func(*cip.Options)) error
}

var (
	pool = aws.String("us-east-1_AbC")
	id   = aws.String("https://orders.example.com")
)

// validCalls holds a valid call of each of the five operations.
var validCalls = []call{
	{"CreateResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
		_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool, Identifier: id, Name: aws.String("Orders"), Scopes: scopes(100)}, o...)
		return err
	}},
	{"UpdateResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
		_, err := c.UpdateResourceServer(ctx, NewBenchInput(100), o...)
		return err
	}},
	{"DescribeResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
		_, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: pool, Identifier: id}, o...)
		return err
	}},
	{"DeleteResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
		_, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: pool, Identifier: id}, o...)
		return err
	}},
	{"ListResourceServers", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
		_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(50)}, o...)
		return err
	}},
}

func TestWithValidationStopsInvalidCalls(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call call
		want []violation
	}{
		{"Create nil input", call{"CreateResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			_, err := c.CreateResourceServer(ctx, nil, o...)
			return err
		}}, []violation{{"UserPoolId", rserrors.RuleRequired}, {"Identifier", rserrors.RuleRequired}, {"Name", rserrors.RuleRequired}}},
		{"Create 101 scopes", call{"CreateResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			_, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool, Identifier: id, Name: aws.String("Orders"), Scopes: scopes(101)}, o...)
			return err
		}}, []violation{{"Scopes", rserrors.RuleMaxItems}}},
		{"Update nil fields", call{"UpdateResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			in := NewBenchInput(3)
			in.Name = nil
			in.Scopes[1].ScopeDescription = nil
			_, err := c.UpdateResourceServer(ctx, in, o...)
			return err
		}}, []violation{{"Name", rserrors.RuleRequired}, {"Scopes[1].ScopeDescription", rserrors.RuleRequired}}},
		{"Describe bad pool", call{"DescribeResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			_, err := c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String("us-east-1"), Identifier: id}, o...)
			return err
		}}, []violation{{"UserPoolId", pattern}}},
		{"Delete bad identifier", call{"DeleteResourceServer", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			_, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: pool, Identifier: aws.String("orders api")}, o...)
			return err
		}}, []violation{{"Identifier", pattern}}},
		{"List bad MaxResults", call{"ListResourceServers", func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			_, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(60)}, o...)
			return err
		}}, []violation{{"MaxResults", rserrors.RuleRange}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCognito(t)
			err := tc.call.do(t.Context(), f.client(validate.WithValidation))
			var ve *rserrors.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%s: error %v (%T), want a *rserrors.ValidationError", tc.call.op, err, err)
			}
			if ve.Operation != tc.call.op {
				t.Errorf("Operation = %q, want %q", ve.Operation, tc.call.op)
			}
			if diff := cmp.Diff(tc.want, violations(t, ve, tc.call.op)); diff != "" {
				t.Errorf("violations mismatch (-want +got):\n%s", diff)
			}
			var opErr *smithy.OperationError
			if !errors.As(err, &opErr) || opErr.Operation() != tc.call.op {
				t.Errorf("error %v is not a *smithy.OperationError for %s", err, tc.call.op)
			}
			if !rserrors.IsValidation(rserrors.From(err)) {
				t.Errorf("rserrors.IsValidation(rserrors.From(%v)) = false, want true", err)
			}
			if got := f.requests(); len(got) != 0 {
				t.Errorf("requests sent = %v, want none", got)
			}
		})
	}
}

// TestWithValidationPassesValidCalls checks that valid calls of the five
// operations, and a call of another operation, each reach the server
// once, whether the option is given to the client, to the call, or both.
func TestWithValidationPassesValidCalls(t *testing.T) {
	t.Parallel()
	calls := append(validCalls[:len(validCalls):len(validCalls)], call{"DescribeUserPool",
		func(ctx context.Context, c *cip.Client, o ...func(*cip.Options)) error {
			_, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("not a pool id")}, o...)
			return err
		}})
	for _, where := range []struct {
		name          string
		client, perOp []func(*cip.Options)
	}{
		{"client", []func(*cip.Options){validate.WithValidation}, nil},
		{"call", nil, []func(*cip.Options){validate.WithValidation}},
		{"both", []func(*cip.Options){validate.WithValidation}, []func(*cip.Options){validate.WithValidation}},
	} {
		for _, c := range calls {
			t.Run(where.name+"/"+c.op, func(t *testing.T) {
				t.Parallel()
				f := newFakeCognito(t)
				if err := c.do(t.Context(), f.client(where.client...), where.perOp...); err != nil {
					t.Fatalf("%s: unexpected error %v", c.op, err)
				}
				if diff := cmp.Diff(map[string]int{c.op: 1}, f.requests()); diff != "" {
					t.Errorf("requests mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestWithValidationComesBeforeSDKCheck checks that the middleware sits
// just before the SDK's required-member check, so an input missing a
// required member gets the full report rather than smithy's.
func TestWithValidationComesBeforeSDKCheck(t *testing.T) {
	t.Parallel()
	f := newFakeCognito(t)
	var order []string
	record := func(o *cip.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			order = s.Initialize.List()
			return nil
		})
	}
	_, err := f.client(validate.WithValidation, record).DeleteResourceServer(t.Context(), &cip.DeleteResourceServerInput{})
	var ip smithy.InvalidParamsError
	if errors.As(err, &ip) {
		t.Errorf("got the SDK's %v, want ours first", err)
	}
	if !rserrors.IsValidation(err) {
		t.Errorf("rserrors.IsValidation(%v) = false, want true", err)
	}
	ours, sdk := -1, -1
	for i, id := range order {
		switch id {
		case validate.MiddlewareID:
			ours = i
		case "OperationInputValidation":
			sdk = i
		}
	}
	if ours < 0 || sdk < 0 || ours+1 != sdk {
		t.Errorf("Initialize step = %v, want %q just before %q", order, validate.MiddlewareID, "OperationInputValidation")
	}
}
