package appclient

import (
	"context"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// API is the part of the Cognito client that a Client uses, with the SDK's
// exact signatures: three app-client operations, and the two resource-server
// reads that tell whether a scope exists (DescribeResourceServer, before a
// grant) and which scopes are inactive (ListResourceServers, for Grants). Pass a
// *cognitoidentityprovider.Client in production and a hand-written fake in
// unit tests. It is separate from resourceserver.API, so fakes of that
// interface are unaffected.
type API interface {
	// ListUserPoolClients sends ListUserPoolClients for one page.
	ListUserPoolClients(ctx context.Context, params *cip.ListUserPoolClientsInput, optFns ...func(*cip.Options)) (*cip.ListUserPoolClientsOutput, error)
	// DescribeUserPoolClient sends DescribeUserPoolClient.
	DescribeUserPoolClient(ctx context.Context, params *cip.DescribeUserPoolClientInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
	// UpdateUserPoolClient sends UpdateUserPoolClient, which resets every
	// updatable field it leaves out to Cognito's default.
	UpdateUserPoolClient(ctx context.Context, params *cip.UpdateUserPoolClientInput, optFns ...func(*cip.Options)) (*cip.UpdateUserPoolClientOutput, error)
	// DescribeResourceServer sends DescribeResourceServer.
	DescribeResourceServer(ctx context.Context, params *cip.DescribeResourceServerInput, optFns ...func(*cip.Options)) (*cip.DescribeResourceServerOutput, error)
	// ListResourceServers sends ListResourceServers for one page.
	ListResourceServers(ctx context.Context, params *cip.ListResourceServersInput, optFns ...func(*cip.Options)) (*cip.ListResourceServersOutput, error)
}

var _ API = (*cip.Client)(nil)
