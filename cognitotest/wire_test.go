package cognitotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const target = "AWSCognitoIdentityProviderService."

var requestIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestWireProtocol(t *testing.T) {
	t.Parallel()
	s, pool := setup(t)
	const auth = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
	tests := []struct {
		name       string
		method     string // "" means POST
		path       string // "" means /
		target     string
		auth       string
		body       string
		wantStatus int
		wantCode   string // "" means success
		wantMsg    string // checked when not ""
	}{
		{name: "success", target: target + "ListResourceServers", auth: auth, body: `{"UserPoolId":"` + pool + `"}`, wantStatus: 200},
		{name: "unknown operation", target: target + "AdminGetUser", auth: auth, body: `{}`, wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "missing target", auth: auth, body: `{}`, wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "other service", target: "DynamoDB_20120810.ListResourceServers", auth: auth, body: `{}`, wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "GET", method: http.MethodGet, target: target + "ListResourceServers", auth: auth, wantStatus: 405, wantCode: "UnknownOperationException"},
		{name: "other path", path: "/v1", target: target + "ListResourceServers", auth: auth, body: `{}`, wantStatus: 404, wantCode: "UnknownOperationException"},
		{name: "missing Authorization", target: target + "ListResourceServers", body: `{"UserPoolId":"` + pool + `"}`, wantStatus: 400, wantCode: "NotAuthorizedException"},
		{name: "bearer Authorization", target: target + "ListResourceServers", auth: "Bearer abc", body: `{"UserPoolId":"` + pool + `"}`, wantStatus: 400, wantCode: "NotAuthorizedException"},
		{name: "malformed JSON", target: target + "ListResourceServers", auth: auth, body: `{"UserPoolId":`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "empty body", target: target + "ListResourceServers", auth: auth, body: ``, wantStatus: 400, wantCode: "SerializationException"},
		{name: "array body", target: target + "ListResourceServers", auth: auth, body: `[]`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "null body", target: target + "ListResourceServers", auth: auth, body: `null`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "two objects", target: target + "ListResourceServers", auth: auth, body: `{} {}`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "number for a string", target: target + "DescribeResourceServer", auth: auth, body: `{"UserPoolId":5,"Identifier":"a"}`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "string for a number", target: target + "ListResourceServers", auth: auth, body: `{"UserPoolId":"` + pool + `","MaxResults":"5"}`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "object for a list", target: target + "CreateResourceServer", auth: auth, body: `{"UserPoolId":"` + pool + `","Identifier":"a","Name":"A","Scopes":{}}`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "number for a scope name", target: target + "CreateResourceServer", auth: auth, body: `{"UserPoolId":"` + pool + `","Identifier":"a","Name":"A","Scopes":[{"ScopeName":1,"ScopeDescription":"d"}]}`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "unknown members ignored", target: target + "ListResourceServers", auth: auth, body: `{"UserPoolId":"` + pool + `","Extra":[1,2]}`, wantStatus: 200},
		{name: "null members", target: target + "DescribeResourceServer", auth: auth, body: `{"UserPoolId":null}`, wantStatus: 400, wantCode: "InvalidParameterException",
			wantMsg: "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'identifier' failed to satisfy constraint: Member must not be null"},
		{name: "member names are case-sensitive", target: target + "DescribeUserPool", auth: auth, body: `{"userPoolId":"` + pool + `"}`, wantStatus: 400, wantCode: "InvalidParameterException",
			wantMsg: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{name: "missing scope members", target: target + "CreateResourceServer", auth: auth, body: `{"UserPoolId":"` + pool + `","Identifier":"a","Scopes":[{"ScopeName":"r"},null]}`, wantStatus: 400, wantCode: "InvalidParameterException",
			wantMsg: "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'scopes.1.member.scopeDescription' failed to satisfy constraint: Member must not be null; Value null at 'scopes.2.member' failed to satisfy constraint: Member must not be null"},
		{name: "ListUserPools needs MaxResults", target: target + "ListUserPools", auth: auth, body: `{}`, wantStatus: 400, wantCode: "InvalidParameterException",
			wantMsg: "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"},
		{name: "fractional MaxResults", target: target + "ListUserPools", auth: auth, body: `{"MaxResults":1.5}`, wantStatus: 400, wantCode: "SerializationException"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequestWithContext(t.Context(), method, s.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, tt.wantStatus, body)
			}
			id := resp.Header.Get("X-Amzn-Requestid")
			if !requestIDRE.MatchString(id) || seen[id] {
				t.Errorf("X-Amzn-Requestid = %q, want a fresh UUID", id)
			}
			seen[id] = true
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %q is not a JSON object: %v", body, err)
			}
			if tt.wantCode == "" {
				if got["__type"] != nil || resp.Header.Get("X-Amzn-ErrorType") != "" {
					t.Errorf("success answered with an error: %s", body)
				}
				return
			}
			if h := resp.Header.Get("X-Amzn-ErrorType"); h != tt.wantCode {
				t.Errorf("X-Amzn-ErrorType = %q, want %q", h, tt.wantCode)
			}
			msg, _ := got["message"].(string)
			if got["__type"] != tt.wantCode || msg == "" || len(got) != 2 {
				t.Errorf("body = %s, want {__type: %s, message: ...}", body, tt.wantCode)
			}
			if tt.wantMsg != "" {
				if diff := cmp.Diff(tt.wantMsg, msg); diff != "" {
					t.Errorf("message (-want +got):\n%s", diff)
				}
			}
		})
	}
	// Every request is logged, refused ones included.
	if got := len(s.Requests()); got != len(tests) {
		t.Errorf("logged %d requests, want %d", got, len(tests))
	}
}
