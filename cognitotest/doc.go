// Package cognitotest provides a local emulator of Amazon Cognito user pools (the
// cognito-idp service) for the resource-server operations, in the spirit of net/http/httptest:
// tests and examples drive the real AWS SDK client against it, over the real awsJson1_1 wire
// protocol, on a loopback port.
//
// # What it emulates
//
// CreateResourceServer, DescribeResourceServer, UpdateResourceServer, DeleteResourceServer and
// ListResourceServers, with the service's field constraints, error codes and messages; and,
// minimally, CreateUserPool, DescribeUserPool, ListUserPools and DeleteUserPool (a pool has only
// an Id, a Name, a CreationDate and a LastModifiedDate; deleting a pool deletes its resource
// servers). UpdateResourceServer replaces the whole server, as the service does: a request
// without Scopes, or with only some of them, deletes the scopes it leaves out. Scopes keep the
// order they were sent in; a server without scopes is answered without a Scopes member.
//
// It does not emulate app clients, users, tokens or any other operation (they answer
// UnknownOperationException), and it does not verify signatures: any request whose
// Authorization header starts with "AWS4-HMAC-SHA256" is accepted, whatever the credentials.
// It binds loopback addresses only, and answers only requests whose Host header names localhost
// or a loopback address (see [WithHostCheck]), so that a web page cannot reach it by DNS
// rebinding.
//
// # Rules
//
// The emulator checks Cognito's constraints with its own code (regular expressions with the
// service's Java semantics: \w is [A-Za-z0-9_], \s includes \x0B; lengths in code points) and
// imports nothing else of scopekeeper, so that it and the validate package check each other.
// All violations of a request are reported in one InvalidParameterException, in the model's
// member order, in the service's words:
//
//	2 validation errors detected: Value 'x y' at 'userPoolId' failed to satisfy constraint:
//	Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+; Value null at 'name'
//	failed to satisfy constraint: Member must not be null
//
// An empty string breaks both the minimum length and the pattern, and is reported twice, as the
// service does. However large the request, the answer stays short: a message spells out the
// first 10 violations and ends "; and N more", and a value longer than 512 code points is quoted
// as its first 512 followed by "... (N characters)". A request body over 1 MiB, not valid UTF-8,
// or with a \u escape of an unpaired UTF-16 surrogate is refused with SerializationException,
// never stored altered. A request that repeats a ScopeName is refused with InvalidParameterException: the
// service does not document what it does then, and a scope list with a repeated name is
// ambiguous, so the emulator takes the strict side.
//
// A request is handled in this order, the first failure giving the answer: method and path
// (POST /), X-Amz-Target (UnknownOperationException), Authorization (NotAuthorizedException),
// the JSON body (SerializationException), an injected [Fault], the rate quotas
// (TooManyRequestsException, see [WithRateLimit] and [WithAccountRateLimit]), the field
// constraints and the duplicate-scope check (InvalidParameterException), and then, under the
// store's lock, the user pool (ResourceNotFoundException "User pool <id> does not exist."), the
// resource server (ResourceNotFoundException "Resource server <identifier> does not exist.", or
// on Create InvalidParameterException "<identifier> already exists in user pool <pool>."), the
// number of servers in the pool on Create (LimitExceededException, see
// [WithMaxResourceServers]) and the page token. Throttling comes before validation because the
// service enforces its quotas in front of its business logic.
//
// ListResourceServers returns servers sorted by identifier, 50 per page unless MaxResults
// (1 to 50) says otherwise; ListUserPools requires MaxResults (1 to 60) and sorts by id. Page
// tokens are opaque and sealed with a key of the server's own: one that this server did not issue
// for that list is refused with InvalidParameterException.
//
// Errors are answered with status 400 (500 for InternalErrorException), the body
// {"__type": "<Code>", "message": "<text>"} and the header X-Amzn-ErrorType: <Code>; every
// answer carries a fresh X-Amzn-Requestid.
//
// # Use from Go
//
//	srv := cognitotest.NewServer()
//	defer srv.Close()
//	pool := srv.CreateUserPool("test")
//	client := srv.Client() // a *cognitoidentityprovider.Client aimed at srv.URL
//	_, err := client.CreateResourceServer(ctx, &cognitoidentityprovider.CreateResourceServerInput{
//		UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"),
//		Name: aws.String("API"),
//	})
//	rs, _ := srv.ResourceServer(pool, "https://api.example.com") // the stored state
//
// [Server.Requests] is the log of the last calls with their answers ([WithRequestLogSize],
// [Server.ResetRequests]); [Server.FailNext] and
// [Server.SetFaultRate] inject errors, delays and dropped connections, before or after the
// operation takes effect; [WithRateLimit] reproduces Cognito's request quotas.
//
// # Use from other languages
//
// The cognito-emulator command serves the same emulator until it is interrupted:
//
//	go run github.com/scopekeeper/scopekeeper/cognitotest/cmd/cognito-emulator -addr 127.0.0.1:9229 -pool us-east-1_Example1=test
//
// Any AWS SDK or the AWS CLI can then use it through its endpoint URL, with any credentials:
//
//	AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws cognito-idp describe-resource-server --endpoint-url http://127.0.0.1:9229 --region us-east-1 --user-pool-id us-east-1_Example1 --identifier https://api.example.com
//	python3 -c 'import boto3; c = boto3.client("cognito-idp", endpoint_url="http://127.0.0.1:9229", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"); print(c.list_resource_servers(UserPoolId="us-east-1_Example1", MaxResults=50))'
package cognitotest
