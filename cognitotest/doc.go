// Package cognitotest provides a local emulator of Amazon Cognito user pools (the
// cognito-idp service) for the resource-server and app-client operations, in the spirit of
// net/http/httptest: tests and examples drive the real AWS SDK client against it, over the real
// awsJson1_1 wire protocol, on a loopback port.
//
// # What it emulates
//
// CreateResourceServer, DescribeResourceServer, UpdateResourceServer, DeleteResourceServer and
// ListResourceServers; CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
// DeleteUserPoolClient and ListUserPoolClients; all with the service's field constraints, error
// codes and messages; and, minimally, CreateUserPool, DescribeUserPool, ListUserPools and
// DeleteUserPool (a pool has only an Id, a Name, a CreationDate and a LastModifiedDate; deleting
// a pool deletes its resource servers and app clients).
//
// UpdateResourceServer replaces the whole server, as the service does: a request without Scopes,
// or with only some of them, deletes the scopes it leaves out. Scopes keep the order they were
// sent in; a server without scopes is answered without a Scopes member.
//
// Removing a scope from its resource server, or deleting the server, leaves the scope on the app
// clients that allow it, as Cognito does: it becomes inactive ([Server.InactiveScopes]), and
// DescribeUserPoolClient still returns it. Defining it again makes it active again, silently.
//
// It does not emulate users, tokens or any other operation (they answer
// UnknownOperationException), and it does not verify signatures: any request whose
// Authorization header starts with "AWS4-HMAC-SHA256" is accepted, whatever the credentials.
// It binds loopback addresses only, and answers only requests whose Host header names localhost
// or a loopback address (see [WithHostCheck]), so that a web page cannot reach it by DNS
// rebinding; a client that sends its request slowly or idles is cut off ([Timeouts]).
//
// # App clients
//
// App clients carry every field of the SDK's types.UserPoolClientType. CreateUserPoolClient
// makes a ClientId of 26 lowercase letters and digits and, with GenerateSecret, a ClientSecret of
// 51 (or keeps a ClientSecret given instead). UpdateUserPoolClient resets every updatable field
// the request leaves out to Cognito's default, as the service does ("If you don't provide a value
// for an attribute, Amazon Cognito sets it to its default value"); it keeps ClientId,
// ClientSecret, CreationDate and, when left out, ClientName.
//
// DescribeUserPoolClient (and the answers of Create and Update) leave out what the service leaves
// out. The evidence is Terraform's aws_cognito_user_pool_client acceptance tests (_basic and
// _nulls), run against AWS, which read a client created with no optional field through the
// provider's mapping:
//
//   - present with Cognito's default: RefreshTokenValidity 30 (days, also when 0 is sent, as the
//     service documents), AuthSessionValidity 3 (minutes), EnableTokenRevocation true,
//     EnablePropagateAdditionalUserContextData false and AllowedOAuthFlowsUserPoolClient false
//     (which turns OAuth off);
//   - absent: PreventUserExistenceErrors (the tests assert it empty; LEGACY is the behaviour of
//     a client without it, not a value the service returns), AccessTokenValidity and
//     IdTokenValidity (one hour), ExplicitAuthFlows;
//   - present and empty: TokenValidityUnits (hours for access and ID tokens, days for refresh
//     tokens). The tests read absent and empty alike, so which one the service sends is not
//     confirmed;
//   - absent, as nothing suggests otherwise: ReadAttributes, WriteAttributes,
//     SupportedIdentityProviders, CallbackURLs, LogoutURLs, AllowedOAuthFlows,
//     AllowedOAuthScopes, DefaultRedirectURI, AnalyticsConfiguration and RefreshTokenRotation.
//
// Beyond the model's constraints, CreateUserPoolClient refuses GenerateSecret together with a
// ClientSecret (InvalidParameterException), and Create and Update apply Cognito's rules in this
// order:
//
//  1. ExplicitAuthFlows does not mix the legacy values (ADMIN_NO_SRP_AUTH,
//     CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH) with ALLOW_ ones (InvalidParameterException).
//  2. Token validities, in their units (hours for access and ID tokens, days for refresh tokens,
//     unless TokenValidityUnits says otherwise), lie within 5 minutes to 1 day for access and ID
//     tokens and 1 hour to 10 years for refresh tokens (InvalidParameterException "Invalid range
//     for token validity...").
//  3. EnablePropagateAdditionalUserContextData needs a client secret (InvalidParameterException).
//  4. Each CallbackURLs, LogoutURLs and DefaultRedirectURI value is an absolute URI without a
//     fragment, using http only for localhost, 127.0.0.1 or [::1]; DefaultRedirectURI is one of
//     the CallbackURLs (InvalidParameterException).
//  5. Each AllowedOAuthScopes value (at most 50) is a standard scope (openid, email, phone,
//     profile, aws.cognito.signin.user.admin) or "<identifier>/<scope name>", split on the last
//     '/', of a scope defined in the pool; otherwise ScopeDoesNotExistException "Invalid scope
//     requested: <scope>". On Update, a scope the client already allows that is no longer defined
//     (inactive) is accepted only under [WithInactiveScopes](true): whether Cognito accepts it is
//     not documented.
//  6. With AllowedOAuthFlowsUserPoolClient true, AllowedOAuthFlows and AllowedOAuthScopes are not
//     empty (InvalidParameterException), and code or implicit needs CallbackURLs
//     (InvalidOAuthFlowException "CallbackUrls can not be empty when code flow or implicit flow is
//     selected.", the service's words as quoted from real runs in cisagov/crossfeed#440 and
//     anomalyco/sst#6272).
//  7. client_credentials is not combined with code or implicit, needs a client secret, and allows
//     custom scopes only (InvalidOAuthFlowException).
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
// never stored altered. A request that repeats a ScopeName is refused with
// InvalidParameterException: the service does not document what it does then, and a scope list
// with a repeated name is ambiguous, so the emulator takes the strict side.
//
// A request is handled in this order, the first failure giving the answer: the Host header
// (AccessDeniedException, 403), method and path (POST /), X-Amz-Target (UnknownOperationException), Authorization (NotAuthorizedException),
// the JSON body (SerializationException), an injected [Fault] ([Server.FailNext], then
// [Server.AddFaultRule], then [Server.SetFaultRate]), the rate quotas
// (TooManyRequestsException, see [WithRateLimit] and [WithAccountRateLimit]), the field
// constraints and the duplicate-scope check (InvalidParameterException), and then, under the
// store's lock, the user pool (ResourceNotFoundException "User pool <id> does not exist."), the
// resource server (ResourceNotFoundException "Resource server <identifier> does not exist.", or
// on Create InvalidParameterException "<identifier> already exists in user pool <pool>."), the
// number of servers in the pool on Create (LimitExceededException, see
// [WithMaxResourceServers]) and the page token. App-client operations check, under the lock, the
// user pool, the app client (ResourceNotFoundException "User pool client <id> does not
// exist."), Cognito's rules on app clients, the number of clients in the pool on Create
// (LimitExceededException, see [WithMaxAppClients]) and the page token. Throttling comes before validation because the
// service enforces its quotas in front of its business logic.
//
// ListResourceServers returns servers sorted by identifier, 50 per page unless MaxResults
// (1 to 50) says otherwise; ListUserPoolClients returns clients sorted by ClientId, 60 per page
// unless MaxResults (1 to 60) says otherwise; ListUserPools requires MaxResults (1 to 60) and sorts by id. Page
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
//	app, _ := srv.PutAppClient(pool, types.UserPoolClientType{ClientName: aws.String("web")})
//	inactive, _ := srv.InactiveScopes(pool, *app.ClientId)
//
// An SDK client that a test builds itself (its own retryer, region or credentials) takes
// [BufferBodies] as its HTTPClient, as [Server.Client] does, so that [Server.Requests] holds one
// request per call.
//
// [Server.Requests] is the log of the last calls with their answers ([WithRequestLogSize],
// [Server.ResetRequests]); [Server.FailNext], [Server.AddFaultRule] and
// [Server.SetFaultRate] inject errors, delays and dropped connections, before or after the
// operation takes effect; [WithRateLimit] reproduces Cognito's request quotas.
//
// # Time and testing/synctest
//
// The emulator reads the time from a [Clock] ([WithClock]; the time package by default) for the
// dates it gives, the refills of its quotas and the Delay of a [Fault]. A test that runs in a
// testing/synctest bubble creates its emulator there with [NewInProcessServer], which listens on
// no socket: [Server.Client] and [Server.HTTPClient] then hand each request to the handler in the
// caller's goroutine, so that every wait is on the bubble's virtual clock. Quotas, delays and
// faults work as they do over a socket:
//
//	synctest.Test(t, func(t *testing.T) {
//		srv := cognitotest.NewInProcessServer(cognitotest.WithRateLimit(5), cognitotest.WithBurst(1))
//		defer srv.Close()
//		client := srv.Client()
//		// ... a throttled call, then time.Sleep(200 * time.Millisecond), takes no real time
//	})
//
// # Conformance
//
// The behaviours above that Cognito documents, or that other projects' tests show, are checked by
// one suite, package [github.com/scopekeeper/scopekeeper/cognitotest/conformance], which runs
// against the emulator in every test run and against a real user pool when one is named.
//
// # Use from other languages
//
// The cognito-emulator command serves the same emulator until it is interrupted:
//
//	go run github.com/scopekeeper/scopekeeper/cognitotest/cmd/cognito-emulator -addr 127.0.0.1:9229 -pool us-east-1_Example1=test
//
// Its -fault flag makes calls of an operation fail at random (for example
// -fault UpdateUserPoolClient:ConcurrentModificationException:0.2, with -seed for repeatable
// draws), and its connections have read-header, read and idle timeouts ([Timeouts]). Any AWS SDK
// or the AWS CLI can use it through its endpoint URL, with any credentials:
//
//	AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws cognito-idp describe-resource-server --endpoint-url http://127.0.0.1:9229 --region us-east-1 --user-pool-id us-east-1_Example1 --identifier https://api.example.com
//	python3 -c 'import boto3; c = boto3.client("cognito-idp", endpoint_url="http://127.0.0.1:9229", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"); print(c.list_resource_servers(UserPoolId="us-east-1_Example1", MaxResults=50))'
package cognitotest
