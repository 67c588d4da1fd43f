package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// Follow returns an iterator over the records from offset from on, in
// order, that follows the tail of the log: at the end it waits for the
// next record instead of stopping. The records come from a follower's
// ConsumeStream, many per message when many are there; when that stream breaks with codes.Unavailable (the
// server went away), Follow opens a new one where the last left off, on
// any server, with the backoff of the other calls. It stops after
// yielding an error: any other error; RetryTimeout without a record while
// streams keep failing; or the end of ctx (ctx's error). Breaking out of
// the loop closes the stream.
func (c *Client) Follow(ctx context.Context, from uint64) iter.Seq2[*api.Record, error] {
	return func(yield func(*api.Record, error) bool) {
		next := from
		wait := c.config.RetryMin
		giveUp := time.Now().Add(c.config.RetryTimeout)
		progressed := func() {
			wait = c.config.RetryMin
			giveUp = time.Now().Add(c.config.RetryTimeout)
		}
		for tries := 1; ; tries++ {
			err := c.followStream(ctx, &next, yield, progressed)
			switch {
			case errors.Is(err, errStopped):
				return
			case ctx.Err() != nil:
				yield(nil, ctx.Err())
				return
			case !retryable(err):
				yield(nil, err)
				return
			case time.Now().After(giveUp):
				yield(nil, fmt.Errorf("gave up after %d tries: %w", tries, err))
				return
			}
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				yield(nil, ctx.Err())
				return
			case <-timer.C:
			}
			wait = min(2*wait, c.config.RetryMax)
		}
	}
}

// errStopped is what followStream returns when the loop over Follow's
// iterator stopped.
var errStopped = errors.New("the caller stopped following")

// followStream yields the records of one ConsumeStream from *next on,
// advancing *next and calling progressed after each, until the stream
// fails (its error) or yield returns false ([errStopped]).
func (c *Client) followStream(ctx context.Context, next *uint64, yield func(*api.Record, error) bool, progressed func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.log.ConsumeStream(ctx, &api.ConsumeRequest{Offset: *next, MaxBatch: followBatch})
	if err != nil {
		return err
	}
	for {
		res, err := stream.Recv()
		if err != nil {
			return err
		}
		progressed()
		for _, record := range recordsOf(res) {
			*next = record.GetOffset() + 1
			if !yield(record, nil) {
				return errStopped
			}
		}
	}
}

// followBatch is the max_batch Follow asks for: the most records the
// servers send in one message.
const followBatch = 256

// recordsOf returns the records of a ConsumeStream message: its records,
// or its one record from a server that sends no batches.
func recordsOf(res *api.ConsumeResponse) []*api.Record {
	if len(res.GetRecords()) > 0 {
		return res.GetRecords()
	}
	if res.GetRecord() != nil {
		return []*api.Record{res.GetRecord()}
	}
	return nil
}
