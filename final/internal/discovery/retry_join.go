package discovery

import (
	"math/rand/v2"
	"slices"
	"time"

	"go.uber.org/zap"
)

// Why a member retries its join
//
// A member joins the cluster through Config.StartJoinAddrs. When a whole
// cluster starts at the same instant (a docker compose up, a power cut and
// restart, a StatefulSet that starts its pods in parallel), every member
// lists the others and some start before any other listens: their first
// join finds nobody. Stopping then would take down a node that has every
// reason to run. A restarted member finds its Raft state on disk and
// reaches its Raft peers at the addresses stored there, not through Serf;
// and the others, which list it too, join it as they start. So New lets
// the member run on its own, and retryJoin tries again until one join
// succeeds, as Consul's retry_join does.
//
// There is no limit after which the member gives up. Giving up would mean
// exiting, to be noticed, and the orchestrator would only start the node
// again; a cluster whose machines come back one after the other, minutes
// apart, would find its first nodes gone. Consul retries forever by
// default for the same reasons. Every failure is logged, so an address
// that leads nowhere is seen; a caller that wants it to be fatal sets
// Config.DisableRetryJoin and gets New's error.

// The wait before each retry: retryJoinFirstWait, doubling up to
// retryJoinMaxWait, each wait drawn at random between half of it and all
// of it, so that nodes started together do not retry in step.
const (
	retryJoinFirstWait = 250 * time.Millisecond
	retryJoinMaxWait   = 5 * time.Second
)

// retryJoin retries the join New could not make until one succeeds (this
// member then knows another, see join) or Leave begins. It joins through the addresses one at a time, stopping at
// the first that answers (one is enough, and gossip brings the others):
// Leave waits for an attempt in flight, which a refused connection or a
// name that does not resolve ends at once, but an address that drops
// packets holds for memberlist's TCPTimeout (10 s). One at a time, Leave
// waits for one such address, not for each of them.
func (m *Membership) retryJoin() {
	defer m.running.Done()
	wait, maxWait := m.retryJoinWaits()
	for attempt := 2; ; attempt++ { // New made the first
		if !m.sleepUnlessLeaving(wait/2 + rand.N(wait/2)) {
			return
		}
		var errs []error
		for _, addr := range m.joinAddrs {
			if m.isLeaving() {
				return
			}
			if failed := m.join([]string{addr}); failed != nil {
				errs = append(errs, failed...)
				continue
			}
			m.logger.Info("joined the cluster", zap.String("addr", addr), zap.Int("attempt", attempt))
			return
		}
		if m.isLeaving() {
			return // the failures are Leave's doing
		}
		wait = min(2*wait, maxWait)
		m.logJoinFailure(errs, attempt, wait)
	}
}

// retryJoinWaits returns the first wait between join attempts and the
// longest.
func (m *Membership) retryJoinWaits() (first, longest time.Duration) {
	if m.retryJoinWait > 0 {
		return m.retryJoinWait, m.retryJoinWait
	}
	return retryJoinFirstWait, retryJoinMaxWait
}

// logJoinFailure logs that join attempt number attempt failed with errs,
// and that the next comes within wait. A member that answered with another
// gossip key will not let this one in until one of them changes its key:
// that is an error, said plainly on every attempt, not a warning.
func (m *Membership) logJoinFailure(errs []error, attempt int, wait time.Duration) {
	fields := []zap.Field{
		zap.Strings("addrs", m.joinAddrs),
		zap.Int("attempt", attempt),
		zap.Duration("retry_within", wait),
		zap.Errors("errors", errs),
	}
	if slices.ContainsFunc(errs, isKeyMismatch) {
		m.logger.Error("join refused: a member answered with another gossip key (or none); every node needs the same key (Config.EncryptKey, serve --gossip-key-file)", fields...)
		return
	}
	m.logger.Warn("no member answered the join; running alone and retrying", fields...)
}

// sleepUnlessLeaving waits for d, and reports false, at once, if Leave
// begins first.
func (m *Membership) sleepUnlessLeaving(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-m.leaving:
		return false
	}
}

// isLeaving reports whether Leave has begun.
func (m *Membership) isLeaving() bool {
	select {
	case <-m.leaving:
		return true
	default:
		return false
	}
}
