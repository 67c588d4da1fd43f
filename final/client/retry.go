package client

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// retry calls attempt until it returns nil or an error that [retryable]
// refuses, or until c.config.RetryTimeout has passed since the first try or
// ctx ends. It waits between tries, RetryMin first, twice as long each
// next time, never more than RetryMax. It returns attempt's last error,
// which keeps its gRPC status (status.Code finds it through the wrapping).
func (c *Client) retry(ctx context.Context, attempt func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.config.RetryTimeout)
	defer cancel()
	wait := c.config.RetryMin
	for tries := 1; ; tries++ {
		err := attempt(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("gave up after %d tries: %w", tries, err)
		case <-timer.C:
		}
		wait = min(2*wait, c.config.RetryMax)
	}
}

// retryable reports whether a call that failed with err may be tried
// again: codes.Unavailable, which the servers give for "not the leader",
// "lost the leadership" and "shutting down", and gRPC for a server it
// cannot reach. Trying a produce again is safe even when the first try may
// have been appended: the client sends it with the same producer ID and
// sequence, and the log answers with the first append's offset.
func retryable(err error) bool {
	return status.Code(err) == codes.Unavailable
}
