// Package paceopt turns the rate options that resourceserver.Options and
// appclient.Options share (Pacer, the deprecated ReadRate and UpdateRate,
// DisableRateLimit, Logger) into the *pace.Pacer of a Client, by one rule
// for every package; see [Pacer].
package paceopt
