package appclient

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// FuzzCheckScope checks checkScope against its definition: a scope is valid
// exactly when it is standard, or when it splits on its last "/" into an
// identifier and a scope name that package validate accepts; every
// violation is on the given path, for the operation given to Err, and
// holds the scope, shortened and in valid UTF-8.
func FuzzCheckScope(f *testing.F) {
	for _, s := range []string{"openid", "aws.cognito.signin.user.admin", "https://api.example.com/read",
		"a/b/c", "/x", "x/", "no-slash", "a b/c", "https://x/\"q\"", strings.Repeat("z", 300) + "/s", "\xff/s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r validate.Report
		checkScope(&r, "scopes[3]", s)
		err := r.Err("GrantScopes")
		valid := IsStandard(s)
		if id, name, ok := splitScope(s); !valid && ok {
			valid = validate.Identifier(id) == nil && validate.ScopeName(name) == nil
		}
		if valid != (err == nil) {
			t.Fatalf("checkScope(%q) = %v, valid by definition = %v", s, err, valid)
		}
		if err == nil {
			return
		}
		var ve *rserrors.ValidationError
		if !errors.As(err, &ve) || ve.Operation != "GrantScopes" || len(ve.Violations) == 0 {
			t.Fatalf("checkScope(%q) error = %#v, want a *rserrors.ValidationError of GrantScopes", s, err)
		}
		for _, fe := range ve.Violations {
			if fe.Field != "scopes[3]" || fe.Value != rserrors.Shorten(s) {
				t.Fatalf("checkScope(%q) violation %#v, want field scopes[3] and the shortened value", s, fe)
			}
			if !utf8.ValidString(fe.Value) {
				t.Fatalf("checkScope(%q) violation value %q is not valid UTF-8", s, fe.Value)
			}
		}
	})
}
