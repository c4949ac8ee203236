// Package conformance is one suite of the behaviours of Amazon Cognito's resource-server and
// app-client operations that the cognitotest emulator promises, written against the real SDK
// client so that it runs unchanged on the emulator and on Cognito, in the spirit of Terraform's
// acceptance tests.
//
// [Run] checks, each as a subtest that creates what it needs under a unique name and deletes it
// when it ends:
//
//   - resource servers: Create, Describe and List answer what was stored; Update replaces the name
//     and the whole scope list (scopes left out are deleted, an Update without Scopes deletes them
//     all); Delete; ResourceNotFoundException for a missing server or pool;
//     InvalidParameterException for a value that breaks the model's constraints and for an
//     identifier that is taken; ListResourceServers pages with MaxResults and NextToken, each
//     server once;
//   - app clients: the fields DescribeUserPoolClient answers for a client created with a name only
//     (those present with their defaults, those absent; see the cognitotest documentation for the
//     evidence); Update resets what it leaves out; ResourceNotFoundException for a missing client;
//     InvalidParameterException for out-of-range values; ScopeDoesNotExistException for an undefined
//     scope; InvalidOAuthFlowException for the code or implicit flow without CallbackURLs and for
//     client_credentials without a secret; ListUserPoolClients pages, each client once;
//   - scopes removed from their server, or whose server is deleted, stay on the app clients that
//     allow them, and a scope defined again is allowed again without a change to the client.
//
// The emulator's own test runs the suite in every test run. To run it against Cognito, name a
// user pool that the tests may add resource servers and app clients to, with AWS credentials in
// the default places (environment, shared files, SSO):
//
//	SCOPEKEEPER_CONFORMANCE_POOL=us-east-1_AbCdEf123 AWS_PROFILE=sandbox go test ./cognitotest/conformance/
//
// The test is skipped when the variable is unset or no credentials are found. It needs room for 3
// more resource servers and 3 more app clients in the pool, and takes about a minute at Cognito's
// quotas; the SDK's retryer absorbs throttling.
//
// # What it cannot check
//
// Behaviours that need what this suite does not have, or that the service does not document,
// stay in the emulator's own tests: the rate quotas and LimitExceededException (the resource
// servers per pool), which would take the pool to its quota; ConcurrentModificationException,
// which Cognito answers only under races it does not describe; that an inactive scope is left out
// of tokens, which needs a domain and the token endpoint; and what the service does with a repeated
// scope name, an inactive scope sent back on UpdateUserPoolClient, or list order, none of which is
// documented. Nothing here has been run against Cognito from this repository's CI, which has no
// AWS account: the expectations come from the service's documentation and from other projects'
// tests run against AWS.
package conformance
