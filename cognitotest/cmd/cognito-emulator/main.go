// Command cognito-emulator serves the cognitotest emulator of Amazon Cognito's resource-server
// and app-client operations on a loopback address, so that programs in any language (through an
// AWS SDK's or the AWS CLI's endpoint URL, with any credentials) can use it.
//
// Usage:
//
//	cognito-emulator [-addr 127.0.0.1:9229] [-pool id[=name]]... [-rate rps] [-max-resource-servers n]
//	                 [-max-app-clients n] [-inactive-scopes] [-request-log n] [-region r] [-seed n]
//	                 [-fault operation:code:probability]... [-read-header-timeout d] [-read-timeout d]
//	                 [-idle-timeout d]
//
// It prints one line, "cognito-emulator listening on http://HOST:PORT", then one line
// "pool <id>" for each -pool, and serves until it receives SIGINT or SIGTERM, when it shuts down
// and exits 0. -addr must name a loopback host (127.0.0.1, ::1 or localhost); port 0 picks a free
// port, which the first line reports. -pool takes a user pool id such as us-east-1_Example1,
// optionally followed by "=name" (the name defaults to the id). -rate sets a per-pool quota of
// requests per second for each of Cognito's categories (resource-server reads, resource-server
// updates, app-client reads, app-client updates); 0, the default, means none, and Cognito's is 5.
// -max-resource-servers (default 25) and -max-app-clients (default 1000) are the quotas per user
// pool. -inactive-scopes makes UpdateUserPoolClient accept a scope that the client already allows
// but that is no longer defined; by default it answers ScopeDoesNotExistException. -request-log
// is how many requests the emulator remembers (default 10000; it serves no way to read them, so
// lower it to save memory). Only requests whose Host header names localhost or a loopback
// address are answered; any other gets 403 AccessDeniedException, a defence against DNS
// rebinding.
//
// -fault makes calls of one operation fail at random, so that programs in any language can test
// their retries: -fault UpdateUserPoolClient:ConcurrentModificationException:0.2 answers 20% of
// UpdateUserPoolClient calls with ConcurrentModificationException (HTTP 400; InternalErrorException
// gets 500) and leaves the pool unchanged. The operation is one the emulator serves, or * for
// every one; the code is an error code of cognito-idp; the probability is from 0 to 1. The flag is
// repeatable; a call tries the rules in order, and the first that fires answers. -seed makes the
// draws repeatable, with the ids the emulator makes.
//
// -read-header-timeout (default 10s), -read-timeout (default 1m) and -idle-timeout (default 2m)
// bound how long a connection may take to send a request's headers, to send a whole request, and
// to stay idle between requests; a client that sends its body slowly is cut off. 0 means no limit.
//
// It exits 2 on a bad flag (including an -addr whose host is not loopback, an invalid -pool or
// -fault) and 1 if it cannot listen.
//
// For example, with the AWS CLI:
//
//	cognito-emulator -pool us-east-1_Example1=test &
//	AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws cognito-idp create-resource-server \
//	  --endpoint-url http://127.0.0.1:9229 --region us-east-1 \
//	  --user-pool-id us-east-1_Example1 --identifier orders-api --name API
//
// (AWS CLI v1 fetches the content of any parameter that looks like a URL, so an identifier such
// as https://api.example.com needs CLI v2 there, or cli_follow_urlparam = false.)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scopekeeper/scopekeeper/cognitotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Usage: cognito-emulator [flags]

Serves an emulator of Amazon Cognito's resource-server and app-client operations
(cognito-idp, awsJson1_1) on a loopback address until SIGINT or SIGTERM. Only requests
whose Host names localhost or a loopback address are answered (DNS rebinding defence).

Flags:
`

const example = `
Example:
  cognito-emulator -pool us-east-1_Example1=test &
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws cognito-idp create-user-pool-client \
    --endpoint-url http://127.0.0.1:9229 --region us-east-1 \
    --user-pool-id us-east-1_Example1 --client-name web

  # 20% of UpdateUserPoolClient calls answer ConcurrentModificationException:
  cognito-emulator -fault UpdateUserPoolClient:ConcurrentModificationException:0.2 -seed 1
`

// poolFlag is a -pool value: "id" or "id=name".
type poolFlag struct{ id, name string }

// run parses args, serves until ctx ends (main ends it on SIGINT or SIGTERM) and returns the exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cognito-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9229", "`host:port` to listen on; the host must be loopback; port 0 picks a free one")
	rate := fs.Float64("rate", 0, "requests per second allowed per user pool and per category (resource-server reads, resource-server updates, app-client reads, app-client updates); 0 means no quota (Cognito allows 5)")
	maxServers := fs.Int("max-resource-servers", cognitotest.DefaultMaxResourceServers, "resource servers allowed per user pool")
	maxClients := fs.Int("max-app-clients", cognitotest.DefaultMaxAppClients, "app clients allowed per user pool")
	inactive := fs.Bool("inactive-scopes", false, "let UpdateUserPoolClient keep a scope the client already allows that is no longer defined (default: ScopeDoesNotExistException)")
	requestLog := fs.Int("request-log", cognitotest.DefaultRequestLogSize, "how many requests to remember")
	region := fs.String("region", cognitotest.DefaultRegion, "region prefix of the ids of user pools created by CreateUserPool")
	seed := fs.Uint64("seed", 0, "seed of the random source (pool ids, client ids and secrets, -fault draws); 0 means a random seed")
	readHeader := fs.Duration("read-header-timeout", cognitotest.DefaultTimeouts.ReadHeader, "how long a client may take to send a request's headers; 0 means no limit")
	read := fs.Duration("read-timeout", cognitotest.DefaultTimeouts.Read, "how long a client may take to send a whole request, body included; 0 means no limit")
	idle := fs.Duration("idle-timeout", cognitotest.DefaultTimeouts.Idle, "how long a kept-alive connection may stay idle; 0 means no limit")
	var faults []cognitotest.FaultRule
	fs.Func("fault", "make calls fail at random: `operation:code:probability`, such as UpdateUserPoolClient:ConcurrentModificationException:0.2; operation * means every one (repeatable)", func(v string) error {
		r, err := parseFault(v)
		if err != nil {
			return err
		}
		faults = append(faults, r)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, example)
	}
	var pools []poolFlag
	fs.Func("pool", "user pool to create, `id` or id=name (repeatable); the name defaults to the id", func(v string) error {
		id, name, _ := strings.Cut(v, "=")
		if name == "" {
			name = id
		}
		pools = append(pools, poolFlag{id: id, name: name})
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cognito-emulator: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return 2
	}
	if *maxServers < 1 {
		fmt.Fprintln(stderr, "cognito-emulator: -max-resource-servers must be at least 1")
		return 2
	}
	if *maxClients < 1 {
		fmt.Fprintln(stderr, "cognito-emulator: -max-app-clients must be at least 1")
		return 2
	}
	if *requestLog < 0 {
		fmt.Fprintln(stderr, "cognito-emulator: -request-log must be 0 or more")
		return 2
	}
	if !(*rate >= 0) || math.IsInf(*rate, 0) {
		fmt.Fprintln(stderr, "cognito-emulator: -rate must be a finite number, 0 or more")
		return 2
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"-read-header-timeout", *readHeader}, {"-read-timeout", *read}, {"-idle-timeout", *idle}} {
		if f.d < 0 {
			fmt.Fprintf(stderr, "cognito-emulator: %s %v: want 0 (no limit) or more\n", f.name, f.d)
			return 2
		}
	}
	if _, port, err := net.SplitHostPort(*addr); err != nil || port == "" {
		fmt.Fprintf(stderr, "cognito-emulator: -addr %q: want host:port, such as 127.0.0.1:9229\n", *addr)
		return 2
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		fmt.Fprintf(stderr, "cognito-emulator: -addr %q: the port must be a number from 0 to 65535\n", *addr)
		return 2
	}
	opts := []cognitotest.Option{
		cognitotest.WithRateLimit(*rate),
		cognitotest.WithMaxResourceServers(*maxServers),
		cognitotest.WithMaxAppClients(*maxClients),
		cognitotest.WithInactiveScopes(*inactive),
		cognitotest.WithRequestLogSize(*requestLog),
		cognitotest.WithRegion(*region),
		cognitotest.WithTimeouts(cognitotest.Timeouts{ReadHeader: *readHeader, Read: *read, Idle: *idle}),
	}
	if *seed != 0 {
		opts = append(opts, cognitotest.WithSeed(*seed))
	}

	srv, err := cognitotest.NewServerAt(*addr, opts...)
	switch {
	case errors.Is(err, cognitotest.ErrInvalidParameter):
		fmt.Fprintf(stderr, "cognito-emulator: -region: %v\n", err)
		return 2
	case errors.Is(err, cognitotest.ErrNotLoopback):
		fmt.Fprintf(stderr, "cognito-emulator: -addr: %v\n", err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "cognito-emulator: -addr: %v\n", err)
		return 1
	}
	defer srv.Close()
	for _, p := range pools {
		if err := srv.AddUserPool(p.id, p.name); err != nil {
			fmt.Fprintf(stderr, "cognito-emulator: -pool %s: %v\n", p.id, err)
			return 2
		}
	}
	for _, r := range faults {
		// parseFault has checked what AddFaultRule checks; an error here is a bug.
		if err := srv.AddFaultRule(r); err != nil {
			fmt.Fprintf(stderr, "cognito-emulator: -fault: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stdout, "cognito-emulator listening on %s\n", srv.URL)
	for _, p := range pools {
		fmt.Fprintf(stdout, "pool %s\n", p.id)
	}
	<-ctx.Done()
	return 0
}

// parseFault parses a -fault value, operation:code:probability, and checks it as
// Server.AddFaultRule would, so that a bad value is refused before the emulator starts; code
// must also be one of cognito-idp's error codes (errorCodes).
func parseFault(v string) (cognitotest.FaultRule, error) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return cognitotest.FaultRule{}, errors.New("want operation:code:probability, such as UpdateUserPoolClient:ConcurrentModificationException:0.2")
	}
	op, code, prob := parts[0], parts[1], parts[2]
	if op == "*" {
		op = ""
	} else if !slices.Contains(cognitotest.Operations(), op) {
		return cognitotest.FaultRule{}, fmt.Errorf("unknown operation %q: want * or one of %s", op, strings.Join(cognitotest.Operations(), ", "))
	}
	if !slices.Contains(errorCodes, code) {
		return cognitotest.FaultRule{}, fmt.Errorf("unknown error code %q: want one of cognito-idp's, such as ConcurrentModificationException, TooManyRequestsException or InternalErrorException", code)
	}
	p, err := strconv.ParseFloat(prob, 64)
	if err != nil || !(p >= 0 && p <= 1) {
		return cognitotest.FaultRule{}, fmt.Errorf("probability %q: want a number from 0 to 1", prob)
	}
	return cognitotest.FaultRule{Operation: op, Probability: p, Fault: cognitotest.Fault{Code: code}}, nil
}

// errorCodes are the error codes of cognito-idp (aws-sdk-go-v2 service/cognitoidentityprovider
// v1.61.0, types/errors.go).
var errorCodes = []string{
	"AccessDeniedException", "AliasExistsException", "CodeDeliveryFailureException", "CodeMismatchException",
	"ConcurrentModificationException", "DeviceKeyExistsException", "DuplicateProviderException",
	"EnableSoftwareTokenMFAException", "ExpiredCodeException", "FeatureUnavailableInTierException",
	"ForbiddenException", "GroupExistsException", "InternalErrorException", "InternalServerException",
	"InvalidEmailRoleAccessPolicyException", "InvalidLambdaResponseException", "InvalidOAuthFlowException",
	"InvalidParameterException", "InvalidPasswordException", "InvalidSmsRoleAccessPolicyException",
	"InvalidSmsRoleTrustRelationshipException", "InvalidUserPoolConfigurationException", "LimitExceededException",
	"MFAMethodNotFoundException", "ManagedLoginBrandingExistsException", "NotAuthorizedException",
	"OperationNotEnabledException", "PasswordHistoryPolicyViolationException", "PasswordResetRequiredException",
	"PreconditionNotMetException", "RefreshTokenReuseException", "ResourceNotFoundException",
	"ScopeDoesNotExistException", "SoftwareTokenMFANotFoundException", "TermsExistsException",
	"TierChangeNotAllowedException", "TooManyFailedAttemptsException", "TooManyRequestsException",
	"UnauthorizedException", "UnexpectedLambdaException", "UnsupportedIdentityProviderException",
	"UnsupportedOperationException", "UnsupportedTokenTypeException", "UnsupportedUserStateException",
	"UserImportInProgressException", "UserLambdaValidationException", "UserNotConfirmedException",
	"UserNotFoundException", "UserPoolAddOnNotEnabledException", "UserPoolTaggingException",
	"UsernameExistsException", "WebAuthnChallengeNotFoundException", "WebAuthnClientMismatchException",
	"WebAuthnConfigurationMissingException", "WebAuthnCredentialNotSupportedException", "WebAuthnNotEnabledException",
	"WebAuthnOriginNotAllowedException", "WebAuthnRelyingPartyMismatchException",
}
