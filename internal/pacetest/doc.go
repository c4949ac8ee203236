// Package pacetest holds the test helpers about pacing that the tests and
// examples of several packages share: [New], a Pacer that fails the test
// instead of returning an error; [Unpaced], the default Pacer of examples
// run against an emulator that enforces no quota; and [RateOptions], the
// one rule for rate options that resourceserver.New and appclient.New
// both follow, checked on either.
package pacetest
