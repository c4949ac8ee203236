package errors_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

func TestShorten(t *testing.T) {
	t.Parallel()
	const bad = "\uFFFD"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"short", "api", "api"},
		{"63 code points", strings.Repeat("a", 63), strings.Repeat("a", 63)},
		{"64 code points", strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{"65 code points", strings.Repeat("a", 65), strings.Repeat("a", 64) + "..."},
		{"300 code points", strings.Repeat("b", 300), strings.Repeat("b", 64) + "..."},
		{"64 two-byte characters", strings.Repeat("é", 64), strings.Repeat("é", 64)},
		{"65 two-byte characters", strings.Repeat("é", 65), strings.Repeat("é", 64) + "..."},
		{"three-byte characters", strings.Repeat("日本", 40), strings.Repeat("日本", 32) + "..."},
		{"four-byte characters", strings.Repeat("😀", 70), strings.Repeat("😀", 64) + "..."},
		{"multi-byte at the cut", strings.Repeat("a", 63) + "😀é", strings.Repeat("a", 63) + "😀..."},
		{"one invalid byte", "\xff", bad},
		{"invalid byte inside", "a\xffb", "a" + bad + "b"},
		{"each invalid byte replaced", "\xff\xfe", bad + bad},
		{"truncated sequence", "ab\xe6\x97", "ab" + bad + bad},
		{"U+FFFD kept", bad + "x", bad + "x"},
		{"invalid bytes cut", strings.Repeat("\xff", 70), strings.Repeat(bad, 64) + "..."},
		{"invalid after the cut", strings.Repeat("a", 64) + "\xff", strings.Repeat("a", 64) + "..."},
		{"invalid before the cut", "\xff" + strings.Repeat("é", 70), bad + strings.Repeat("é", 63) + "..."},
		{"invalid exactly 64", strings.Repeat("a", 63) + "\xff", strings.Repeat("a", 63) + bad},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rserrors.Shorten(tc.in)
			if got != tc.want {
				t.Errorf("Shorten(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Shorten(%q) = %q, not valid UTF-8", tc.in, got)
			}
			// The result counts the input's code points up to the cut.
			n := utf8.RuneCountInString(tc.in)
			wantCount := n
			if n > 64 {
				wantCount = 64 + len("...")
			}
			if c := utf8.RuneCountInString(got); c != wantCount {
				t.Errorf("Shorten(%q) has %d code points, want %d", tc.in, c, wantCount)
			}
		})
	}
}

func TestNewFieldError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		field, detail, value string
		rule                 rserrors.Rule
		want                 *rserrors.FieldError
	}{
		{
			name: "short value", field: "Name", rule: rserrors.RulePattern, detail: "must match [\\w\\s+=,.@-]+", value: "a/b",
			want: &rserrors.FieldError{Field: "Name", Rule: rserrors.RulePattern, Detail: "must match [\\w\\s+=,.@-]+", Value: "a/b"},
		},
		{
			name: "long value", field: "Scopes[2].ScopeName", rule: rserrors.RuleLength, detail: "length must be 1 to 256, got 300", value: strings.Repeat("s", 300),
			want: &rserrors.FieldError{Field: "Scopes[2].ScopeName", Rule: rserrors.RuleLength, Detail: "length must be 1 to 256, got 300", Value: strings.Repeat("s", 64) + "..."},
		},
		{
			name: "invalid UTF-8", field: "Identifier", rule: rserrors.RuleUTF8, detail: "must be valid UTF-8", value: "x\xc3",
			want: &rserrors.FieldError{Field: "Identifier", Rule: rserrors.RuleUTF8, Detail: "must be valid UTF-8", Value: "x\uFFFD"},
		},
		{
			name: "empty value", field: "Name", rule: rserrors.RuleRequired, detail: "is required", value: "",
			want: &rserrors.FieldError{Field: "Name", Rule: rserrors.RuleRequired, Detail: "is required"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rserrors.NewFieldError(tc.field, tc.rule, tc.detail, tc.value)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NewFieldError(%q, %q, %q, %q) mismatch (-want +got):\n%s", tc.field, tc.rule, tc.detail, tc.value, diff)
			}
		})
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	name := rserrors.NewFieldError("Name", rserrors.RuleRequired, "is required", "")
	scope := rserrors.NewFieldError("Scopes[0].ScopeName", rserrors.RulePattern, "must not contain /", "a/b")
	tests := []struct {
		name string
		err  *rserrors.ValidationError
	}{
		{"two violations", &rserrors.ValidationError{Operation: "UpdateResourceServer", Violations: []*rserrors.FieldError{name, scope}}},
		{"one violation", &rserrors.ValidationError{Violations: []*rserrors.FieldError{scope}}},
		{"no violations", &rserrors.ValidationError{Operation: "CreateResourceServer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			unwrapped := tc.err.Unwrap()
			if len(unwrapped) != len(tc.err.Violations) {
				t.Fatalf("Unwrap() gave %d errors, want %d", len(unwrapped), len(tc.err.Violations))
			}
			for i, e := range unwrapped {
				fe, ok := e.(*rserrors.FieldError)
				if !ok || fe != tc.err.Violations[i] {
					t.Errorf("Unwrap()[%d] = %v (%T), want the violation %v itself", i, e, e, tc.err.Violations[i])
				}
			}

			for _, e := range []error{tc.err, fmt.Errorf("wrap: %w", tc.err)} {
				if !errors.Is(e, rserrors.ErrValidation) {
					t.Errorf("errors.Is(%v, ErrValidation) = false, want true", e)
				}
				for _, s := range sentinels {
					if s.err != rserrors.ErrValidation && errors.Is(e, s.err) {
						t.Errorf("errors.Is(%v, %s) = true, want false", e, s.name)
					}
				}
				for _, p := range predicates {
					if got, want := p.fn(e), p.name == "IsValidation"; got != want {
						t.Errorf("%s(%v) = %v, want %v", p.name, e, got, want)
					}
				}
				if rserrors.IsRetryable(e) {
					t.Errorf("IsRetryable(%v) = true, want false", e)
				}
				var fe *rserrors.FieldError
				found := errors.As(e, &fe)
				if want := len(tc.err.Violations) > 0; found != want {
					t.Errorf("errors.As(%v, *FieldError) = %v, want %v", e, found, want)
				} else if found && fe != tc.err.Violations[0] {
					t.Errorf("errors.As(%v, *FieldError) gave %v, want the first violation %v", e, fe, tc.err.Violations[0])
				}
			}
		})
	}
}

func TestFieldErrorAlone(t *testing.T) {
	t.Parallel()
	fe := rserrors.NewFieldError("Identifier", rserrors.RuleLength, "length must be 1 to 256, got 0", "")
	for _, e := range []error{fe, fmt.Errorf("wrap: %w", fe)} {
		if !errors.Is(e, rserrors.ErrValidation) || !rserrors.IsValidation(e) {
			t.Errorf("errors.Is(%v, ErrValidation) or IsValidation = false, want true", e)
		}
		var ve *rserrors.ValidationError
		if errors.As(e, &ve) {
			t.Errorf("errors.As(%v, *ValidationError) = true, want false", e)
		}
		if got := rserrors.From(e); got != e {
			t.Errorf("From(%v) = %v, want the same error", e, got)
		}
	}
}

func TestUnsafeUpdateAndConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		sentinel  error
		predicate string
	}{
		{"unsafe update, name and scopes", &rserrors.UnsafeUpdateError{UserPoolID: "us-east-1_X", Identifier: "api", MissingName: true, Lost: []string{"read", "write"}}, rserrors.ErrUnsafeUpdate, "IsUnsafeUpdate"},
		{"unsafe update, scopes only", &rserrors.UnsafeUpdateError{UserPoolID: "us-east-1_X", Identifier: "api", Lost: []string{"read"}}, rserrors.ErrUnsafeUpdate, "IsUnsafeUpdate"},
		{"unsafe update, empty", &rserrors.UnsafeUpdateError{}, rserrors.ErrUnsafeUpdate, "IsUnsafeUpdate"},
		{"conflict", &rserrors.ConflictError{UserPoolID: "us-east-1_X", Identifier: "api", Attempts: 3}, rserrors.ErrConflict, "IsConflict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, e := range []error{tc.err, fmt.Errorf("wrap: %w", tc.err), errors.Join(errors.New("other"), tc.err)} {
				for _, s := range sentinels {
					if got, want := errors.Is(e, s.err), s.err == tc.sentinel; got != want {
						t.Errorf("errors.Is(%v, %s) = %v, want %v", e, s.name, got, want)
					}
				}
				for _, p := range predicates {
					if got, want := p.fn(e), p.name == tc.predicate; got != want {
						t.Errorf("%s(%v) = %v, want %v", p.name, e, got, want)
					}
				}
				if rserrors.IsRetryable(e) {
					t.Errorf("IsRetryable(%v) = true, want false", e)
				}
				if got := rserrors.From(e); got != e {
					t.Errorf("From(%v) = %v, want the same error", e, got)
				}
			}
		})
	}
}

// TestOneTypePerConcept checks the messages of the types that replaced
// the per-package copies: an app client's UnsafeUpdateError, a GrantsError
// for a whole pool (reconcile's refusal) and an OpError of each package.
func TestOneTypePerConcept(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unsafe app-client update", &rserrors.UnsafeUpdateError{UserPoolID: "us-east-1_x", ClientID: "c1", OAuthOff: true, Lost: []string{"CallbackURLs"}},
			"unsafe update of app client us-east-1_x/c1 refused: it would turn OAuth off; it would reset or change 1 field(s) not asked for: CallbackURLs"},
		{"unsafe resource-server update", &rserrors.UnsafeUpdateError{UserPoolID: "us-east-1_x", Identifier: "api", Lost: []string{"a"}},
			"unsafe update of us-east-1_x/api refused: it would delete 1 scope(s) not named for removal: a"},
		{"grants of a pool", &rserrors.GrantsError{UserPoolID: "us-east-1_x", Dangling: map[string][]string{"api/a": {"c1"}},
			Regrant: map[string][]string{"api/b": {"c2"}}, Names: map[string]string{"c1": "worker"}},
			"plan for user pool us-east-1_x refused: removing api/a leaves it inactive on app client(s) worker (c1); adding api/b grants it again to app client(s) c2"},
		{"grants of a server", &rserrors.GrantsError{UserPoolID: "us-east-1_x", Identifier: "api", Dangling: map[string][]string{"api/a": {"c1", "c2"}}},
			"change of us-east-1_x/api refused for its app clients: it would leave dangling api/a (app clients c1, c2)"},
		{"app-client OpError", &rserrors.OpError{Package: "appclient", Op: "GrantScopes", UserPoolID: "us-east-1_x", ClientID: "c1", Err: cause},
			"appclient: GrantScopes us-east-1_x/c1: boom"},
		{"resource-server OpError", &rserrors.OpError{Package: "resourceserver", Op: "AddScope", UserPoolID: "us-east-1_x", Identifier: "api", Err: cause},
			"resourceserver: AddScope us-east-1_x/api: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
