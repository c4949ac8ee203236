package awsenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The environment variables Resolve reads when a flag is not given.
const (
	EnvPoolID  = "SCOPEKEEPER_POOL_ID"
	EnvRegion  = "SCOPEKEEPER_REGION"
	EnvProfile = "SCOPEKEEPER_PROFILE"
	// EnvSDKEndpoint is the SDK's own variable for the Cognito user pools
	// endpoint (the service-specific form of AWS_ENDPOINT_URL), read by
	// every aws-sdk-go-v2 program through config.LoadDefaultConfig.
	EnvSDKEndpoint = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
	// EnvEndpoint is an alias of EnvSDKEndpoint, used when that is unset.
	EnvEndpoint = "SCOPEKEEPER_ENDPOINT"
)

// Settings are what the command needs to reach a user pool.
type Settings struct {
	// PoolID is the user pool ID (--pool, SCOPEKEEPER_POOL_ID).
	PoolID string
	// Region is the AWS region (--region, SCOPEKEEPER_REGION); empty means
	// the configuration chain's (AWS_REGION, the profile), and then the
	// region prefix of PoolID ("us-east-1" of "us-east-1_AbC").
	Region string
	// Profile is the shared-config profile (--profile,
	// SCOPEKEEPER_PROFILE); empty means the chain's (AWS_PROFILE, default).
	Profile string
	// Endpoint is the base URL of Cognito (--endpoint,
	// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, SCOPEKEEPER_ENDPOINT),
	// such as the emulator's http://127.0.0.1:9229; empty means AWS's own.
	Endpoint string
}

// Resolve returns flags with each empty field taken from its variable,
// read through getenv (os.Getenv in the command): SCOPEKEEPER_POOL_ID,
// SCOPEKEEPER_REGION, SCOPEKEEPER_PROFILE, and for the endpoint
// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, then its alias
// SCOPEKEEPER_ENDPOINT.
func Resolve(flags Settings, getenv func(string) string) Settings {
	pick := func(v string, envs ...string) string {
		for _, env := range envs {
			if v != "" {
				return v
			}
			v = strings.TrimSpace(getenv(env))
		}
		return v
	}
	return Settings{
		PoolID:   pick(flags.PoolID, EnvPoolID),
		Region:   pick(flags.Region, EnvRegion),
		Profile:  pick(flags.Profile, EnvProfile),
		Endpoint: pick(flags.Endpoint, EnvSDKEndpoint, EnvEndpoint),
	}
}

// ErrNoRegion is returned by Load when no region is configured anywhere
// and the user pool ID gives none either.
var ErrNoRegion = errors.New("no AWS region: use --region, SCOPEKEEPER_REGION, AWS_REGION or a profile with a region")

// Load returns the aws.Config for s through config.LoadDefaultConfig, with
// s.Region and s.Profile when set. With s.Endpoint, the config's
// BaseEndpoint is the endpoint and, unless credentials are configured
// (s.Profile, or AWS_ACCESS_KEY_ID or AWS_PROFILE through getenv), static
// dummy credentials are used, which an emulator accepts; nothing is sent
// to find credentials. When no region is configured, the region prefix of
// s.PoolID is used.
//
// It sends nothing. Errors: a malformed endpoint (it must be an absolute
// http or https URL), the configuration chain's own error (such as an
// unknown profile), or ErrNoRegion.
func Load(ctx context.Context, s Settings, getenv func(string) string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.Endpoint != "" {
		u, err := url.Parse(s.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return aws.Config{}, fmt.Errorf("endpoint %q: must be an absolute http or https URL", s.Endpoint)
		}
		opts = append(opts, config.WithBaseEndpoint(s.Endpoint))
		if s.Profile == "" && getenv("AWS_ACCESS_KEY_ID") == "" && getenv("AWS_PROFILE") == "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("scopekeeper", "emulator", "")))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		if i := strings.IndexByte(s.PoolID, '_'); i > 0 {
			cfg.Region = s.PoolID[:i]
		} else {
			return aws.Config{}, ErrNoRegion
		}
	}
	return cfg, nil
}
