package validate_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// violation is the part of a FieldError that tests compare.
type violation struct {
	Field string
	Rule  rserrors.Rule
}

// violations returns the (Field, Rule) pairs of err, which must be nil or
// a *rserrors.ValidationError with the given Operation.
func violations(t *testing.T, err error, op string) []violation {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *rserrors.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *rserrors.ValidationError", err, err)
	}
	if ve.Operation != op {
		t.Errorf("Operation = %q, want %q", ve.Operation, op)
	}
	if !errors.Is(err, rserrors.ErrValidation) {
		t.Errorf("errors.Is(%v, ErrValidation) = false, want true", err)
	}
	if len(ve.Violations) == 0 {
		t.Errorf("ValidationError with no violations")
	}
	var got []violation
	for _, v := range ve.Violations {
		got = append(got, violation{v.Field, v.Rule})
	}
	return got
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

const (
	length  = rserrors.RuleLength
	pattern = rserrors.RulePattern
	utf8r   = rserrors.RuleUTF8
)

func TestFields(t *testing.T) {
	t.Parallel()
	type fieldCase struct {
		in   string
		want []rserrors.Rule // nil: valid
	}
	funcs := []struct {
		name  string
		field string
		fn    func(string) error
		cases []fieldCase
	}{
		{"UserPoolID", "UserPoolId", validate.UserPoolID, []fieldCase{
			{"", []rserrors.Rule{length}},
			{"a", []rserrors.Rule{pattern}},
			{"_", []rserrors.Rule{pattern}},
			{"us-east-1_AbCdEf123", nil},
			{"a_b", nil},
			{"a_b_c", nil},
			{"a__b", nil},
			{"-_a", nil},
			{"a-b_c", nil},
			{"a_", []rserrors.Rule{pattern}},
			{"_a", []rserrors.Rule{pattern}},
			{"ab", []rserrors.Rule{pattern}},
			{"a_b-c", []rserrors.Rule{pattern}},
			{"a_b_", []rserrors.Rule{pattern}},
			{"a b_c", []rserrors.Rule{pattern}},
			{"a\x0b_c", []rserrors.Rule{pattern}},
			{"a/b_c", []rserrors.Rule{pattern}},
			{"é_a", []rserrors.Rule{pattern}},
			{"a_é", []rserrors.Rule{pattern}},
			{rep("a", 53) + "_b", nil},                              // 55
			{rep("a", 54) + "_b", []rserrors.Rule{length}},          // 56
			{rep("a", 54) + " b", []rserrors.Rule{length, pattern}}, // 56, bad
			{rep("é", 54) + "_b", []rserrors.Rule{length, pattern}}, // 56 code points
			{"a\xff_b", []rserrors.Rule{utf8r}},
			{rep("a", 60) + "\xff", []rserrors.Rule{utf8r}},
		}},
		{"Identifier", "Identifier", validate.Identifier, []fieldCase{
			{"", []rserrors.Rule{length}},
			{"a", nil},
			{"\x21", nil},
			{"\x23", nil},
			{"\x5b", nil},
			{"\x5d", nil},
			{"\x7e", nil},
			{"/", nil},
			{"https://orders.example.com", nil},
			{"urn:a|b:c", nil},
			{" ", []rserrors.Rule{pattern}},
			{"a b", []rserrors.Rule{pattern}},
			{"\"", []rserrors.Rule{pattern}},
			{"\\", []rserrors.Rule{pattern}},
			{"\x7f", []rserrors.Rule{pattern}},
			{"\x00", []rserrors.Rule{pattern}},
			{"\x0b", []rserrors.Rule{pattern}},
			{"é", []rserrors.Rule{pattern}},
			{"𝄞", []rserrors.Rule{pattern}},
			{rep("a", 256), nil},
			{rep("a", 257), []rserrors.Rule{length}},
			{rep("a", 256) + " ", []rserrors.Rule{length, pattern}},
			{rep("é", 300), []rserrors.Rule{length, pattern}},
			{"\xff", []rserrors.Rule{utf8r}},
			{"https://x\xc3", []rserrors.Rule{utf8r}},
		}},
		{"Name", "Name", validate.Name, []fieldCase{
			{"", []rserrors.Rule{length}},
			{"a", nil},
			{"Orders API", nil},
			{"\t", nil},
			{"\n", nil},
			{"\x0b", nil},
			{"\f", nil},
			{"\r", nil},
			{" ", nil},
			{"+=,.@-_", nil},
			{"Az09", nil},
			{"a\x0bb", nil},
			{"/", []rserrors.Rule{pattern}},
			{"!", []rserrors.Rule{pattern}},
			{":", []rserrors.Rule{pattern}},
			{"\x00", []rserrors.Rule{pattern}},
			{"\x7f", []rserrors.Rule{pattern}},
			{"é", []rserrors.Rule{pattern}},
			{"ß", []rserrors.Rule{pattern}},
			{"\u00a0", []rserrors.Rule{pattern}}, // not Java \s
			{"\u2028", []rserrors.Rule{pattern}},
			{rep("a", 256), nil},
			{rep("a", 257), []rserrors.Rule{length}},
			{rep("ß", 257), []rserrors.Rule{length, pattern}},
			{"\xc3", []rserrors.Rule{utf8r}},
			{"Orders\xffAPI", []rserrors.Rule{utf8r}},
		}},
		{"ScopeName", "ScopeName", validate.ScopeName, []fieldCase{
			{"", []rserrors.Rule{length}},
			{"r", nil},
			{"read:orders-17", nil},
			{"\x21", nil},
			{"\x23", nil},
			{"\x2e", nil},
			{"\x30", nil},
			{"\x5b", nil},
			{"\x5d", nil},
			{"\x7e", nil},
			{"/", []rserrors.Rule{pattern}},
			{"orders/read", []rserrors.Rule{pattern}},
			{" ", []rserrors.Rule{pattern}},
			{"\"", []rserrors.Rule{pattern}},
			{"\\", []rserrors.Rule{pattern}},
			{"\x7f", []rserrors.Rule{pattern}},
			{"\x0b", []rserrors.Rule{pattern}},
			{"é", []rserrors.Rule{pattern}},
			{rep("s", 256), nil},
			{rep("s", 257), []rserrors.Rule{length}},
			{rep("/", 257), []rserrors.Rule{length, pattern}},
			{"\xff", []rserrors.Rule{utf8r}},
			{"read\xed\xa0\x80", []rserrors.Rule{utf8r}}, // an encoded surrogate
		}},
		{"ScopeDescription", "ScopeDescription", validate.ScopeDescription, []fieldCase{
			{"", []rserrors.Rule{length}},
			{"a", nil},
			{"𝄞", nil},
			{" ", nil},
			{"\x00", nil},
			{"\x0b", nil},
			{"a/\"\\\x7f", nil},
			{rep("a", 256), nil},
			{rep("a", 257), []rserrors.Rule{length}},
			{rep("é", 256), nil}, // 512 bytes
			{rep("é", 257), []rserrors.Rule{length}},
			{rep("𝄞", 256), nil}, // 1024 bytes
			{rep("𝄞", 257), []rserrors.Rule{length}},
			{rep("a", 255) + "𝄞", nil},
			{"\xff", []rserrors.Rule{utf8r}},
			{"é\xff", []rserrors.Rule{utf8r}},
			{rep("é", 300) + "\xc3", []rserrors.Rule{utf8r}},
		}},
		{"NextToken", "NextToken", validate.NextToken, []fieldCase{
			{"", []rserrors.Rule{length}},
			{"a", nil},
			{rep("t", 5000), nil},
			{"é𝄞", nil},
			{"\u00a0", nil}, // not Java \s
			{"!\"\\/\x7f", nil},
			{" ", []rserrors.Rule{pattern}},
			{"a\tb", []rserrors.Rule{pattern}},
			{"a\n", []rserrors.Rule{pattern}},
			{"\x0b", []rserrors.Rule{pattern}},
			{"\f", []rserrors.Rule{pattern}},
			{"\r", []rserrors.Rule{pattern}},
			{"\xff", []rserrors.Rule{utf8r}},
		}},
	}
	for _, f := range funcs {
		for _, tc := range f.cases {
			t.Run(f.name+"/"+strconv.Quote(validateShort(tc.in)), func(t *testing.T) {
				t.Parallel()
				err := f.fn(tc.in)
				var want []violation
				for _, r := range tc.want {
					want = append(want, violation{f.field, r})
				}
				if diff := cmp.Diff(want, violations(t, err, "")); diff != "" {
					t.Errorf("%s(%q) violations mismatch (-want +got):\n%s\nerror: %v", f.name, tc.in, diff, err)
				}
			})
		}
	}
}

// validateShort shortens a long test value for a subtest name.
func validateShort(s string) string {
	if len(s) > 24 {
		return s[:12] + "...(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

func TestMaxResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    int32
		valid bool
	}{
		{-1, false}, {0, false}, {1, true}, {25, true}, {50, true}, {51, false}, {1 << 30, false},
	} {
		t.Run(strconv.Itoa(int(tc.in)), func(t *testing.T) {
			t.Parallel()
			var want []violation
			if !tc.valid {
				want = []violation{{"MaxResults", rserrors.RuleRange}}
			}
			err := validate.MaxResults(tc.in)
			if diff := cmp.Diff(want, violations(t, err, "")); diff != "" {
				t.Errorf("MaxResults(%d) violations mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// TestDetails pins the full FieldError for representative violations, so
// the details keep naming the rule, the offending character and its
// index, and the counts.
func TestDetails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want []*rserrors.FieldError
	}{
		{"Name bad character", validate.Name("a\x0bb/"), []*rserrors.FieldError{{
			Field: "Name", Rule: pattern, Value: "a\x0bb/",
			Detail: `must match [\w\s+=,.@-]+: character '/' (U+002F) at index 3 is not allowed`,
		}}},
		{"Identifier too long and bad", validate.Identifier(rep("é", 300)), []*rserrors.FieldError{{
			Field: "Identifier", Rule: length, Value: rep("é", 64) + "...",
			Detail: "length must be 1 to 256 code points, got 300",
		}, {
			Field: "Identifier", Rule: pattern, Value: rep("é", 64) + "...",
			Detail: `must match [\x21\x23-\x5B\x5D-\x7E]+: character 'é' (U+00E9) at index 0 is not allowed`,
		}}},
		{"ScopeName index counts code points", validate.ScopeName("a\x7f"), []*rserrors.FieldError{{
			Field: "ScopeName", Rule: pattern, Value: "a\x7f",
			Detail: `must match [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+: character '\x7f' (U+007F) at index 1 is not allowed`,
		}}},
		{"ScopeDescription invalid UTF-8", validate.ScopeDescription("é\xffx"), []*rserrors.FieldError{{
			Field: "ScopeDescription", Rule: utf8r, Value: "é\uFFFDx",
			Detail: "must be valid UTF-8: invalid byte 0xff at byte offset 2",
		}}},
		{"ScopeDescription empty", validate.ScopeDescription(""), []*rserrors.FieldError{{
			Field: "ScopeDescription", Rule: length, Detail: "length must be 1 to 256 code points, got 0",
		}}},
		{"NextToken whitespace", validate.NextToken("é\x0b"), []*rserrors.FieldError{{
			Field: "NextToken", Rule: pattern, Value: "é\x0b",
			Detail: `must match [\S]+: character '\v' (U+000B) at index 1 is not allowed`,
		}}},
		{"NextToken empty", validate.NextToken(""), []*rserrors.FieldError{{
			Field: "NextToken", Rule: length, Detail: "length must be at least 1 code point, got 0",
		}}},
		{"UserPoolId no underscore", validate.UserPoolID("ab"), []*rserrors.FieldError{{
			Field: "UserPoolId", Rule: pattern, Value: "ab",
			Detail: `must match [\w-]+_[0-9a-zA-Z]+: no '_' separates the prefix from the letters and digits`,
		}}},
		{"UserPoolId ends with underscore", validate.UserPoolID("a_b_"), []*rserrors.FieldError{{
			Field: "UserPoolId", Rule: pattern, Value: "a_b_",
			Detail: `must match [\w-]+_[0-9a-zA-Z]+: the last '_' (index 3) must be followed by one or more letters or digits`,
		}}},
		{"UserPoolId starts with its only underscore", validate.UserPoolID("_ab"), []*rserrors.FieldError{{
			Field: "UserPoolId", Rule: pattern, Value: "_ab",
			Detail: `must match [\w-]+_[0-9a-zA-Z]+: the '_' at index 0 must follow one or more of [\w-]`,
		}}},
		{"UserPoolId dash after underscore", validate.UserPoolID("us-east-1_ab-c"), []*rserrors.FieldError{{
			Field: "UserPoolId", Rule: pattern, Value: "us-east-1_ab-c",
			Detail: `must match [\w-]+_[0-9a-zA-Z]+: character '-' (U+002D) at index 12 is not allowed after the last '_' (index 9)`,
		}}},
		{"MaxResults", validate.MaxResults(51), []*rserrors.FieldError{{
			Field: "MaxResults", Rule: rserrors.RuleRange, Value: "51", Detail: "must be 1 to 50, got 51",
		}}},
		{"Scopes repeated and too many", validate.Scopes(scopes(101, 100, 3)), []*rserrors.FieldError{{
			Field: "Scopes", Rule: rserrors.RuleMaxItems, Value: "101", Detail: "at most 100 items, got 101",
		}, {
			Field: "Scopes[100].ScopeName", Rule: rserrors.RuleUnique, Value: "read:orders-3",
			Detail: "repeats the scope name at Scopes[3]",
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ve *rserrors.ValidationError
			if !errors.As(tc.err, &ve) {
				t.Fatalf("error %v is not a *rserrors.ValidationError", tc.err)
			}
			if diff := cmp.Diff(tc.want, ve.Violations); diff != "" {
				t.Errorf("violations mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// scopes returns n distinct valid scopes; each index in dup gets the name
// of the scope whose index is the value that follows it (pairs of dst,
// src).
func scopes(n int, dup ...int) []types.ResourceServerScopeType {
	s := make([]types.ResourceServerScopeType, n)
	for i := range s {
		s[i] = types.ResourceServerScopeType{
			ScopeName:        aws.String("read:orders-" + strconv.Itoa(i)),
			ScopeDescription: aws.String("Read the orders of store " + strconv.Itoa(i)),
		}
	}
	for i := 0; i+1 < len(dup); i += 2 {
		s[dup[i]].ScopeName = aws.String(*s[dup[i+1]].ScopeName)
	}
	return s
}

func TestUpdateResourceServerInput(t *testing.T) {
	t.Parallel()
	valid := func() *cip.UpdateResourceServerInput {
		return &cip.UpdateResourceServerInput{
			UserPoolId: aws.String("us-east-1_AbCdEf123"),
			Identifier: aws.String("https://orders.example.com"),
			Name:       aws.String("Orders API"),
			Scopes:     scopes(3),
		}
	}
	with := func(f func(*cip.UpdateResourceServerInput)) *cip.UpdateResourceServerInput {
		in := valid()
		f(in)
		return in
	}
	for _, tc := range []struct {
		name string
		in   *cip.UpdateResourceServerInput
		want []violation
	}{
		{"valid", valid(), nil},
		{"no scopes", with(func(in *cip.UpdateResourceServerInput) { in.Scopes = nil }), nil},
		{"empty scopes", with(func(in *cip.UpdateResourceServerInput) { in.Scopes = []types.ResourceServerScopeType{} }), nil},
		{"100 scopes", with(func(in *cip.UpdateResourceServerInput) { in.Scopes = scopes(100) }), nil},
		{"101 scopes", with(func(in *cip.UpdateResourceServerInput) { in.Scopes = scopes(101) }),
			[]violation{{"Scopes", rserrors.RuleMaxItems}}},
		{"repeated scope name", with(func(in *cip.UpdateResourceServerInput) { in.Scopes = scopes(5, 2, 0, 4, 0) }),
			[]violation{{"Scopes[2].ScopeName", rserrors.RuleUnique}, {"Scopes[4].ScopeName", rserrors.RuleUnique}}},
		{"repeated in 101 scopes", with(func(in *cip.UpdateResourceServerInput) { in.Scopes = scopes(101, 100, 7) }),
			[]violation{{"Scopes", rserrors.RuleMaxItems}, {"Scopes[100].ScopeName", rserrors.RuleUnique}}},
		{"nil input", nil, []violation{
			{"UserPoolId", rserrors.RuleRequired},
			{"Identifier", rserrors.RuleRequired},
			{"Name", rserrors.RuleRequired},
		}},
		{"empty input", &cip.UpdateResourceServerInput{}, []violation{
			{"UserPoolId", rserrors.RuleRequired},
			{"Identifier", rserrors.RuleRequired},
			{"Name", rserrors.RuleRequired},
		}},
		{"empty strings", &cip.UpdateResourceServerInput{UserPoolId: aws.String(""), Identifier: aws.String(""), Name: aws.String("")}, []violation{
			{"UserPoolId", length},
			{"Identifier", length},
			{"Name", length},
		}},
		{"three bad fields", with(func(in *cip.UpdateResourceServerInput) {
			in.UserPoolId = aws.String("us-east-1")
			in.Name = aws.String("Orders/API")
			in.Scopes[2].ScopeName = aws.String("orders/read")
		}), []violation{
			{"UserPoolId", pattern},
			{"Name", pattern},
			{"Scopes[2].ScopeName", pattern},
		}},
		{"nil scope members", with(func(in *cip.UpdateResourceServerInput) {
			in.Scopes[0].ScopeName = nil
			in.Scopes[1].ScopeDescription = nil
			in.Scopes = append(in.Scopes, types.ResourceServerScopeType{})
		}), []violation{
			{"Scopes[0].ScopeName", rserrors.RuleRequired},
			{"Scopes[1].ScopeDescription", rserrors.RuleRequired},
			{"Scopes[3].ScopeName", rserrors.RuleRequired},
			{"Scopes[3].ScopeDescription", rserrors.RuleRequired},
		}},
		{"invalid UTF-8 everywhere", &cip.UpdateResourceServerInput{
			UserPoolId: aws.String("us\xff_a"),
			Identifier: aws.String("id\xff"),
			Name:       aws.String("n\xff"),
			Scopes: []types.ResourceServerScopeType{{
				ScopeName: aws.String("s\xff"), ScopeDescription: aws.String("d\xff"),
			}},
		}, []violation{
			{"UserPoolId", utf8r},
			{"Identifier", utf8r},
			{"Name", utf8r},
			{"Scopes[0].ScopeName", utf8r},
			{"Scopes[0].ScopeDescription", utf8r},
		}},
		{"everything wrong, in field order", &cip.UpdateResourceServerInput{
			UserPoolId: aws.String(rep("a", 56)),
			Identifier: aws.String("has space"),
			Name:       aws.String(rep("é", 257)),
			Scopes: append(scopes(100), types.ResourceServerScopeType{
				ScopeName: aws.String("read:orders-0"), ScopeDescription: aws.String(""),
			}),
		}, []violation{
			{"UserPoolId", length},
			{"UserPoolId", pattern},
			{"Identifier", pattern},
			{"Name", length},
			{"Name", pattern},
			{"Scopes", rserrors.RuleMaxItems},
			{"Scopes[100].ScopeName", rserrors.RuleUnique},
			{"Scopes[100].ScopeDescription", length},
		}},
		{"vertical tab in name is valid", with(func(in *cip.UpdateResourceServerInput) { in.Name = aws.String("Orders\x0bAPI") }), nil},
		{"scope description of 256 é is valid", with(func(in *cip.UpdateResourceServerInput) {
			in.Scopes[0].ScopeDescription = aws.String(rep("é", 256))
		}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validate.UpdateResourceServerInput(tc.in)
			if diff := cmp.Diff(tc.want, violations(t, err, "UpdateResourceServer")); diff != "" {
				t.Errorf("UpdateResourceServerInput violations mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestCreateResourceServerInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   *cip.CreateResourceServerInput
		want []violation
	}{
		{"valid", &cip.CreateResourceServerInput{
			UserPoolId: aws.String("eu-west-1_x"), Identifier: aws.String("orders"), Name: aws.String("Orders"),
			Scopes: scopes(100),
		}, nil},
		{"nil input", nil, []violation{
			{"UserPoolId", rserrors.RuleRequired},
			{"Identifier", rserrors.RuleRequired},
			{"Name", rserrors.RuleRequired},
		}},
		{"bad everything", &cip.CreateResourceServerInput{
			UserPoolId: aws.String("_x"), Identifier: aws.String(`"orders"`), Name: aws.String("Ordres!"),
			Scopes: append(scopes(100, 99, 98), types.ResourceServerScopeType{ScopeName: aws.String("a b")}),
		}, []violation{
			{"UserPoolId", pattern},
			{"Identifier", pattern},
			{"Name", pattern},
			{"Scopes", rserrors.RuleMaxItems},
			{"Scopes[99].ScopeName", rserrors.RuleUnique},
			{"Scopes[100].ScopeName", pattern},
			{"Scopes[100].ScopeDescription", rserrors.RuleRequired},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validate.CreateResourceServerInput(tc.in)
			if diff := cmp.Diff(tc.want, violations(t, err, "CreateResourceServer")); diff != "" {
				t.Errorf("CreateResourceServerInput violations mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestDescribeAndDeleteResourceServerInput(t *testing.T) {
	t.Parallel()
	type pair struct{ pool, id *string }
	for _, tc := range []struct {
		name string
		in   *pair
		want []violation
	}{
		{"valid", &pair{aws.String("us-east-1_AbC"), aws.String("https://orders.example.com")}, nil},
		{"nil input", nil, []violation{{"UserPoolId", rserrors.RuleRequired}, {"Identifier", rserrors.RuleRequired}}},
		{"nil fields", &pair{}, []violation{{"UserPoolId", rserrors.RuleRequired}, {"Identifier", rserrors.RuleRequired}}},
		{"bad pool", &pair{aws.String("us-east-1"), aws.String("orders")}, []violation{{"UserPoolId", pattern}}},
		{"bad identifier", &pair{aws.String("us-east-1_AbC"), aws.String(rep("i", 257))}, []violation{{"Identifier", length}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d *cip.DescribeResourceServerInput
			var del *cip.DeleteResourceServerInput
			if tc.in != nil {
				d = &cip.DescribeResourceServerInput{UserPoolId: tc.in.pool, Identifier: tc.in.id}
				del = &cip.DeleteResourceServerInput{UserPoolId: tc.in.pool, Identifier: tc.in.id}
			}
			err := validate.DescribeResourceServerInput(d)
			if diff := cmp.Diff(tc.want, violations(t, err, "DescribeResourceServer")); diff != "" {
				t.Errorf("DescribeResourceServerInput violations mismatch (-want +got):\n%s", diff)
			}
			err = validate.DeleteResourceServerInput(del)
			if diff := cmp.Diff(tc.want, violations(t, err, "DeleteResourceServer")); diff != "" {
				t.Errorf("DeleteResourceServerInput violations mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListResourceServersInput(t *testing.T) {
	t.Parallel()
	pool := aws.String("us-east-1_AbC")
	for _, tc := range []struct {
		name string
		in   *cip.ListResourceServersInput
		want []violation
	}{
		{"valid minimal", &cip.ListResourceServersInput{UserPoolId: pool}, nil},
		{"valid full", &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(50), NextToken: aws.String("tok/+=é")}, nil},
		{"MaxResults 1", &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(1)}, nil},
		{"nil input", nil, []violation{{"UserPoolId", rserrors.RuleRequired}}},
		{"MaxResults 0", &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(0)},
			[]violation{{"MaxResults", rserrors.RuleRange}}},
		{"MaxResults 51", &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(51)},
			[]violation{{"MaxResults", rserrors.RuleRange}}},
		{"empty NextToken", &cip.ListResourceServersInput{UserPoolId: pool, NextToken: aws.String("")},
			[]violation{{"NextToken", length}}},
		{"all bad", &cip.ListResourceServersInput{UserPoolId: aws.String("x y_z"), MaxResults: aws.Int32(-3), NextToken: aws.String("a\x0bb")},
			[]violation{{"UserPoolId", pattern}, {"MaxResults", rserrors.RuleRange}, {"NextToken", pattern}}},
		{"invalid UTF-8 NextToken", &cip.ListResourceServersInput{UserPoolId: pool, NextToken: aws.String("\xfe")},
			[]violation{{"NextToken", utf8r}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validate.ListResourceServersInput(tc.in)
			if diff := cmp.Diff(tc.want, violations(t, err, "ListResourceServers")); diff != "" {
				t.Errorf("ListResourceServersInput violations mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []types.ResourceServerScopeType
		want []violation
	}{
		{"nil", nil, nil},
		{"one", scopes(1), nil},
		{"100", scopes(100), nil},
		{"101", scopes(101), []violation{{"Scopes", rserrors.RuleMaxItems}}},
		{"repeat of first", scopes(3, 2, 0), []violation{{"Scopes[2].ScopeName", rserrors.RuleUnique}}},
		{"empty names repeat", []types.ResourceServerScopeType{
			{ScopeName: aws.String(""), ScopeDescription: aws.String("d")},
			{ScopeName: aws.String(""), ScopeDescription: aws.String("d")},
		}, []violation{
			{"Scopes[0].ScopeName", length},
			{"Scopes[1].ScopeName", length},
			{"Scopes[1].ScopeName", rserrors.RuleUnique},
		}},
		{"nil name is not a repeat", []types.ResourceServerScopeType{
			{ScopeDescription: aws.String("d")},
			{ScopeDescription: aws.String("d")},
		}, []violation{
			{"Scopes[0].ScopeName", rserrors.RuleRequired},
			{"Scopes[1].ScopeName", rserrors.RuleRequired},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validate.Scopes(tc.in)
			if diff := cmp.Diff(tc.want, violations(t, err, "")); diff != "" {
				t.Errorf("Scopes violations mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnwrap checks that each violation is reachable with errors.As and
// matches ErrValidation on its own.
func TestUnwrap(t *testing.T) {
	t.Parallel()
	err := validate.DescribeResourceServerInput(&cip.DescribeResourceServerInput{Identifier: aws.String("a b")})
	var fe *rserrors.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("errors.As(%v, *FieldError) = false, want true", err)
	}
	if diff := cmp.Diff(violation{"UserPoolId", rserrors.RuleRequired}, violation{fe.Field, fe.Rule}); diff != "" {
		t.Errorf("first FieldError mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(fe, rserrors.ErrValidation) || !rserrors.IsValidation(err) {
		t.Errorf("violation does not match ErrValidation")
	}
	if got := validate.Name("ok"); got != nil {
		t.Errorf("Name(%q) = %v, want nil (an untyped nil)", "ok", got)
	}
}

// TestNoAllocsWhenValid checks that validating valid inputs allocates
// nothing, the 100-scope UpdateResourceServerInput of the benchmark
// included.
func TestNoAllocsWhenValid(t *testing.T) {
	update := NewBenchInput(validate.MaxScopes)
	create := &cip.CreateResourceServerInput{
		UserPoolId: update.UserPoolId, Identifier: update.Identifier, Name: update.Name, Scopes: update.Scopes,
	}
	describe := &cip.DescribeResourceServerInput{UserPoolId: update.UserPoolId, Identifier: update.Identifier}
	del := &cip.DeleteResourceServerInput{UserPoolId: update.UserPoolId, Identifier: update.Identifier}
	list := &cip.ListResourceServersInput{UserPoolId: update.UserPoolId, MaxResults: aws.Int32(50), NextToken: aws.String("next-é")}
	long := rep("é", 256)
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"UpdateResourceServerInput", func() error { return validate.UpdateResourceServerInput(update) }},
		{"CreateResourceServerInput", func() error { return validate.CreateResourceServerInput(create) }},
		{"DescribeResourceServerInput", func() error { return validate.DescribeResourceServerInput(describe) }},
		{"DeleteResourceServerInput", func() error { return validate.DeleteResourceServerInput(del) }},
		{"ListResourceServersInput", func() error { return validate.ListResourceServersInput(list) }},
		{"Scopes", func() error { return validate.Scopes(update.Scopes) }},
		{"ScopeDescription", func() error { return validate.ScopeDescription(long) }},
		{"MaxResults", func() error { return validate.MaxResults(10) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.fn(); err != nil {
				t.Fatalf("%s: unexpected error %v", tc.name, err)
			}
			if n := testing.AllocsPerRun(100, func() { _ = tc.fn() }); n != 0 {
				t.Errorf("%s allocates %v times per valid call, want 0", tc.name, n)
			}
		})
	}
}
