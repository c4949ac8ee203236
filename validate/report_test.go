package validate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

func TestReport(t *testing.T) {
	t.Parallel()
	digit := func(c rune) bool { return c >= '0' && c <= '9' }
	type v struct {
		Field string
		Rule  rserrors.Rule
	}
	tests := []struct {
		name  string
		check func(r *validate.Report)
		want  []v // nil: no error
	}{
		{"valid values", func(r *validate.Report) {
			r.UserPoolID("poolID", "us-east-1_Ab1").Identifier("id", "https://x").Name("name", "A b").
				ScopeName("s", "read").ScopeDescription("d", "Read").Scope("scope", "https://x/read").
				Chars("n", "123", 3, "[0-9]+", digit).MaxItems("list", 2, 2)
		}, nil},
		{"paths are the caller's", func(r *validate.Report) {
			r.UserPoolID("poolID", "bad").Name("args[1].name", "a/b")
		}, []v{{"poolID", rserrors.RulePattern}, {"args[1].name", rserrors.RulePattern}}},
		{"scope without a slash", func(r *validate.Report) { r.Scope("scopes[0]", "read") },
			[]v{{"scopes[0]", rserrors.RulePattern}}},
		{"scope with an empty name part", func(r *validate.Report) { r.Scope("scopes[0]", "https://x/") },
			[]v{{"scopes[0]", rserrors.RuleLength}}},
		{"chars: length, then pattern", func(r *validate.Report) {
			r.Chars("a", "1234", 3, "[0-9]+", digit).Chars("b", "1x", 3, "[0-9]+", digit)
		}, []v{{"a", rserrors.RuleLength}, {"b", rserrors.RulePattern}}},
		{"chars: invalid UTF-8 alone", func(r *validate.Report) { r.Chars("a", "\xff", 3, "[0-9]+", digit) },
			[]v{{"a", rserrors.RuleUTF8}}},
		{"max items and a rule of the caller's", func(r *validate.Report) {
			r.MaxItems("scopes", 3, 2).Add("fn", rserrors.RuleRequired, "a function is required", "")
		}, []v{{"scopes", rserrors.RuleMaxItems}, {"fn", rserrors.RuleRequired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r validate.Report
			tt.check(&r)
			err := r.Err("Op")
			if tt.want == nil {
				if err != nil || r.Len() != 0 {
					t.Fatalf("Err() = %v, want nil", err)
				}
				return
			}
			var ve *rserrors.ValidationError
			if !errors.As(err, &ve) || ve.Operation != "Op" || !rserrors.IsValidation(err) {
				t.Fatalf("Err() = %v, want a *ValidationError for Op", err)
			}
			var got []v
			for _, x := range ve.Violations {
				got = append(got, v{x.Field, x.Rule})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violations mismatch (-want +got):\n%s", diff)
			}
			if r.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", r.Len(), len(tt.want))
			}
		})
	}
}

func TestReportScopeNamesThePart(t *testing.T) {
	t.Parallel()
	var r validate.Report
	err := r.Scope("scopes[0]", "https://x/a b").Err("GrantScopes")
	var ve *rserrors.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 {
		t.Fatalf("Err() = %v, want one violation", err)
	}
	if v := ve.Violations[0]; v.Value != "https://x/a b" || !strings.HasPrefix(v.Detail, "the scope name part") {
		t.Errorf("violation = %+v, want the whole scope as value and the part named", v)
	}
}
