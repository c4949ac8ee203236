package exampleenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// The environment variables that give the flags their default values.
const (
	// EnvPoolID is the default of -pool.
	EnvPoolID = "SCOPEKEEPER_POOL_ID"
	// EnvRegion is the default of -region.
	EnvRegion = "SCOPEKEEPER_REGION"
	// EnvEndpoint is the default of -endpoint.
	EnvEndpoint = "SCOPEKEEPER_ENDPOINT"
)

// DefaultRegion is the region used with a standalone emulator when no
// -region is given. It matters only for request signing, which the
// emulator does not check.
const DefaultRegion = "us-east-1"

// poolName is the name of the user pools this package creates on an
// emulator.
const poolName = "scopekeeper-examples"

// cleanupTimeout bounds the clean-up done by Close when its context has no
// deadline.
const cleanupTimeout = 30 * time.Second

// Config says where the examples run: the embedded emulator when all
// fields are empty, a standalone emulator when Endpoint is set, Amazon
// Cognito when PoolID is set and Endpoint is not.
type Config struct {
	// PoolID is an existing user pool to work in. Without Endpoint it
	// selects Amazon Cognito; with Endpoint, a pool of the emulator there.
	PoolID string
	// Region is the AWS region. Empty means the region PoolID starts with
	// (every user pool id does), or DefaultRegion on an emulator.
	Region string
	// Endpoint is the base URL of a standalone emulator, such as
	// "http://127.0.0.1:9229".
	Endpoint string
}

// RegisterFlags defines -pool, -region and -endpoint on fs, writing into
// c; getenv (usually os.Getenv) supplies their defaults from
// SCOPEKEEPER_POOL_ID, SCOPEKEEPER_REGION and SCOPEKEEPER_ENDPOINT.
func (c *Config) RegisterFlags(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.PoolID, "pool", getenv(EnvPoolID),
		"user pool `id` to work in; without -endpoint this uses Amazon Cognito (env "+EnvPoolID+")")
	fs.StringVar(&c.Region, "region", getenv(EnvRegion),
		"AWS `region`; default: the region the pool id starts with (env "+EnvRegion+")")
	fs.StringVar(&c.Endpoint, "endpoint", getenv(EnvEndpoint),
		"`URL` of a standalone Cognito emulator, such as http://127.0.0.1:9229 (env "+EnvEndpoint+"); default: an emulator embedded in the process")
}

// target is where an Env sends its requests.
type target int

const (
	embedded target = iota
	standalone
	cognito
)

// Env is where an example runs: a user pool and a way to make SDK clients
// for it. Create it with [New] or [Embedded] and release it with
// [Env.Close].
type Env struct {
	// PoolID is the user pool the example works in.
	PoolID string
	// Emulator is the embedded emulator, for examples that show what it
	// received; nil on the other targets.
	Emulator *cognitotest.Server

	target   target
	region   string
	endpoint string
	newAPI   func(optFns ...func(*cip.Options)) *cip.Client
	ownPool  bool   // PoolID was created on a standalone emulator by New
	suffix   string // makes identifiers unique off the embedded emulator

	mu     sync.Mutex
	ids    []string // identifiers handed out, deleted by Close
	closed bool
}

// Embedded starts an emulator in the process with opts, adds a user pool
// to it and returns the Env for it. It panics if the emulator cannot
// listen on a loopback port, as cognitotest.NewServer does.
func Embedded(opts ...cognitotest.Option) *Env {
	srv := cognitotest.NewServer(opts...)
	return &Env{
		PoolID:   srv.CreateUserPool(poolName),
		Emulator: srv,
		target:   embedded,
		region:   DefaultRegion,
		newAPI:   srv.Client,
	}
}

// New returns the Env that cfg selects (see [Config]). For a standalone
// emulator without a PoolID it sends CreateUserPool to create one, which
// Close deletes; for Amazon Cognito it loads the standard AWS
// configuration but sends nothing. It fails on a PoolID that is not a
// valid user pool id (a *rserrors.ValidationError), an Endpoint that is
// not an http or https URL, a configuration that cannot be loaded, or a
// failed CreateUserPool.
func New(ctx context.Context, cfg Config) (*Env, error) {
	if cfg.PoolID != "" {
		if err := validate.UserPoolID(cfg.PoolID); err != nil {
			return nil, fmt.Errorf("exampleenv: -pool %q: %w", cfg.PoolID, err)
		}
	}
	switch {
	case cfg.Endpoint != "":
		return newStandalone(ctx, cfg)
	case cfg.PoolID != "":
		return newCognito(ctx, cfg)
	}
	if cfg.Region != "" {
		return Embedded(cognitotest.WithRegion(cfg.Region)), nil
	}
	return Embedded(), nil
}

func newStandalone(ctx context.Context, cfg Config) (*Env, error) {
	if !strings.HasPrefix(cfg.Endpoint, "http://") && !strings.HasPrefix(cfg.Endpoint, "https://") {
		return nil, fmt.Errorf("exampleenv: -endpoint %q: want an http:// or https:// URL", cfg.Endpoint)
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	opts := cip.Options{
		BaseEndpoint: aws.String(cfg.Endpoint),
		Region:       region,
		// Dummy static credentials, only because the target is a local
		// emulator, which accepts any signature. Real credentials never
		// belong in code: on AWS they come from the configuration chain.
		Credentials: credentials.NewStaticCredentialsProvider("EMULATOR", "emulator", ""),
	}
	e := &Env{
		PoolID:   cfg.PoolID,
		target:   standalone,
		region:   region,
		endpoint: cfg.Endpoint,
		newAPI:   func(optFns ...func(*cip.Options)) *cip.Client { return cip.New(opts, optFns...) },
		suffix:   randomSuffix(),
	}
	if e.PoolID == "" {
		out, err := e.API().CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(poolName)})
		if err != nil {
			return nil, fmt.Errorf("exampleenv: create a user pool on the emulator at %s: %w", cfg.Endpoint, rserrors.From(err))
		}
		if out.UserPool == nil || aws.ToString(out.UserPool.Id) == "" {
			return nil, fmt.Errorf("exampleenv: the emulator at %s created a user pool without an id", cfg.Endpoint)
		}
		e.PoolID, e.ownPool = aws.ToString(out.UserPool.Id), true
	}
	return e, nil
}

func newCognito(ctx context.Context, cfg Config) (*Env, error) {
	region := cfg.Region
	if region == "" {
		region, _, _ = strings.Cut(cfg.PoolID, "_")
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("exampleenv: load the AWS configuration: %w", err)
	}
	return &Env{
		PoolID: cfg.PoolID,
		target: cognito,
		region: region,
		newAPI: func(optFns ...func(*cip.Options)) *cip.Client { return cip.NewFromConfig(awsCfg, optFns...) },
		suffix: randomSuffix(),
	}, nil
}

func randomSuffix() string { return fmt.Sprintf("%08x", rand.Uint32()) }

// API returns a new SDK client for the Env's target, changed by optFns,
// such as validate.WithValidation. Each call returns a separate client,
// as separate processes would have. It sends nothing.
func (e *Env) API(optFns ...func(*cip.Options)) *cip.Client { return e.newAPI(optFns...) }

// Region returns the AWS region the Env's clients sign for.
func (e *Env) Region() string { return e.region }

// Emulated reports whether the target is an emulator, embedded or
// standalone, rather than Amazon Cognito.
func (e *Env) Emulated() bool { return e.target != cognito }

// Identifier returns the resource-server identifier an example uses for
// name, such as "https://orders.example.com" on the embedded emulator
// and "https://scopekeeper-orders-1a2b3c4d.example.com" elsewhere, where
// a random part keeps runs from meeting each other's (or anyone else's)
// resource servers. It records the identifier so that Close deletes
// that resource server if it still exists. It sends nothing.
func (e *Env) Identifier(name string) string {
	id := "https://" + name + ".example.com"
	if e.target != embedded {
		id = "https://scopekeeper-" + name + "-" + e.suffix + ".example.com"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range e.ids {
		if x == id {
			return id
		}
	}
	e.ids = append(e.ids, id)
	return id
}

// String describes the target in one line: the pool id is shown only on
// Amazon Cognito or when it was given for a standalone emulator, so the
// embedded emulator's line is the same on every run.
func (e *Env) String() string {
	switch e.target {
	case standalone:
		if e.ownPool {
			return "the Cognito emulator at " + e.endpoint + " (a new user pool)"
		}
		return "the Cognito emulator at " + e.endpoint + ", user pool " + e.PoolID
	case cognito:
		return "Amazon Cognito, user pool " + e.PoolID + " in " + e.region
	}
	return "the embedded Cognito emulator (a new user pool)"
}

// Close cleans up: it sends DeleteResourceServer for every identifier
// handed out by Identifier whose resource server still exists (a
// ResourceNotFoundException is not an error), DeleteUserPool for a user
// pool that New created, and stops the embedded emulator. It works with
// ctx's values but not its cancellation, so it cleans up after an
// interrupted example too, within 30 seconds. It returns the failures
// joined; a second call does nothing.
func (e *Env) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	ids := e.ids
	e.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	api := e.API()
	var errs []error
	if !e.ownPool {
		// A pool that New created goes with all its servers below.
		for _, id := range ids {
			_, err := api.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{
				UserPoolId: aws.String(e.PoolID), Identifier: aws.String(id),
			})
			if err != nil && !rserrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("exampleenv: delete resource server %s: %w", id, rserrors.From(err)))
			}
		}
	} else {
		_, err := api.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(e.PoolID)})
		if err != nil && !rserrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("exampleenv: delete user pool %s: %w", e.PoolID, rserrors.From(err)))
		}
	}
	if e.Emulator != nil {
		e.Emulator.Close()
	}
	return errors.Join(errs...)
}

// runTimeout bounds a whole example run.
const runTimeout = 2 * time.Minute

// Main is the main function of an example program. It parses -pool,
// -region and -endpoint from the command line (defaults from the
// environment, see [Config.RegisterFlags]), sets up the Env, calls run
// with standard output, and closes the Env. The run is cancelled by an
// interrupt or after two minutes. On any failure, run's or the clean-up's,
// it prints the error to standard error and exits with status 1; a bad
// command line exits with status 2.
func Main(run func(ctx context.Context, out io.Writer, env *Env) error) {
	log.SetFlags(0)
	log.SetPrefix(filepath.Base(os.Args[0]) + ": ")
	var cfg Config
	cfg.RegisterFlags(flag.CommandLine, os.Getenv)
	flag.Parse()
	if flag.NArg() > 0 {
		log.Printf("unexpected arguments: %s", strings.Join(flag.Args(), " "))
		flag.Usage()
		os.Exit(2)
	}
	if err := runMain(cfg, os.Stdout, run); err != nil {
		log.Fatal(err)
	}
}

// runMain is Main after the command line: it sets up the Env, runs run and
// closes the Env, returning the first failure.
func runMain(cfg Config, out io.Writer, run func(context.Context, io.Writer, *Env) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	env, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	err = run(ctx, out, env)
	return errors.Join(err, env.Close(ctx))
}
