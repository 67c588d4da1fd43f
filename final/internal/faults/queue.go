//go:build unix

package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/proglog-workshop/proglog/final/client"
)

// Queue is Jepsen's queue workload: producers send unique values through
// the client package, which retries across leader changes and makes a
// retry idempotent; consumers follow the log from offset 0; every
// produce's outcome and every read goes into History.
type Queue struct {
	// Cluster is the cluster to run against.
	Cluster *Cluster
	// History receives the produces and reads.
	History *History
	// Producers and Consumers are how many of each run at once, each with a
	// client of its own.
	Producers, Consumers int
	// Readers is how many readers run at once beside them, each with a
	// client of its own, reading with client.Linearizable offsets around
	// the end of the log as the producers know it: some acknowledged,
	// which the read must find, some not yet. Their reads go into
	// History.LinearizableReads, for [CheckLinearizable].
	Readers int
	// MinAcked is how many acknowledged produces the run needs to count:
	// it goes on past its duration until it has them, up to MaxDuration.
	MinAcked int
	// MaxDuration bounds the run when MinAcked takes longer than its
	// duration: on a loaded machine the same faults leave fewer produces.
	MaxDuration time.Duration

	known atomic.Uint64 // one past the highest offset acknowledged so far
}

// Run runs the workload while fault runs (the nemesis) for duration, or
// longer, up to MaxDuration, until MinAcked produces are acknowledged;
// fault's context ends then, and fault must return with the cluster
// healed. Run then stops the producers, letting each finish
// the produce it is sending; produces one last value, the sentinel; waits
// for every consumer to read it; and reads every node's whole log into
// the history. The history is then ready for [Check]. ctx bounds it all.
func (q *Queue) Run(ctx context.Context, fault func(ctx context.Context) error, duration time.Duration) error {
	consumeCtx, stopConsumers := context.WithCancel(ctx)
	var (
		stopping             atomic.Bool
		producing, consuming sync.WaitGroup
		clients              []*client.Client
	)
	consumers := make([]*consumer, q.Consumers)
	// However Run returns, the producers and consumers end before their
	// clients close, and the consumers' reads go into the history, for a
	// person to look at if the run failed.
	defer func() {
		stopping.Store(true)
		producing.Wait()
		stopConsumers()
		consuming.Wait()
		for _, c := range consumers {
			if c != nil {
				q.History.AddReads(c.reads)
			}
		}
		for _, cl := range clients {
			_ = cl.Close() // every call on it has returned
		}
	}()
	for i := range consumers {
		cl, err := q.newClient(ctx, i)
		if err != nil {
			return err
		}
		clients = append(clients, cl)
		consumers[i] = &consumer{client: cl}
		consuming.Go(func() { consumers[i].run(consumeCtx) })
	}
	for i := range q.Producers {
		cl, err := q.newClient(ctx, i)
		if err != nil {
			return err
		}
		clients = append(clients, cl)
		producing.Go(func() {
			for seq := 0; !stopping.Load() && ctx.Err() == nil; seq++ {
				q.produce(ctx, cl, i, fmt.Sprintf("%d-%d", i, seq))
			}
		})
	}
	for i := range q.Readers {
		cl, err := q.newClient(ctx, i)
		if err != nil {
			return err
		}
		clients = append(clients, cl)
		// The readers stop with the producers: a read after them would
		// only find what they left.
		producing.Go(func() {
			for !stopping.Load() && ctx.Err() == nil {
				q.read(ctx, cl, i)
			}
		})
	}
	faultCtx, stopFaults := context.WithTimeout(ctx, max(duration, q.MaxDuration))
	go q.stopWhenDone(faultCtx, stopFaults, duration)
	err := fault(faultCtx)
	stopFaults()
	stopping.Store(true)
	producing.Wait()
	if err != nil {
		return fmt.Errorf("the nemesis: %w", err)
	}
	sentinel, err := q.sentinel(ctx)
	if err != nil {
		return err
	}
	for i, c := range consumers {
		if err := c.waitPast(ctx, sentinel); err != nil {
			return fmt.Errorf("consumer %d: %w", i, err)
		}
	}
	replicas, err := q.Cluster.ReadReplicas(ctx, sentinel)
	if err != nil {
		return err
	}
	q.History.mu.Lock()
	q.History.Replicas = replicas
	q.History.mu.Unlock()
	return nil
}

// stopWhenDone calls stop once duration has passed and the history holds
// MinAcked acknowledged produces, or when ctx ends.
func (q *Queue) stopWhenDone(ctx context.Context, stop func(), duration time.Duration) {
	defer stop()
	timer := time.NewTimer(duration)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return
	case <-timer.C:
	}
	for q.History.Acknowledged() < q.MinAcked {
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// newClient returns a client that first asks node i (modulo the size of
// the cluster) for the others.
func (q *Queue) newClient(ctx context.Context, i int) (*client.Client, error) {
	node := q.Cluster.Nodes[i%len(q.Cluster.Nodes)]
	cl, err := client.New(ctx, client.Config{Addr: node.RPCAddr, TLS: q.Cluster.ClientTLS})
	if err != nil {
		return nil, fmt.Errorf("a client of %s: %w", node, err)
	}
	return cl, nil
}

// produce sends value with cl and records how it went, as producer.
func (q *Queue) produce(ctx context.Context, cl *client.Client, producer int, value string) Op {
	op := Op{Producer: producer, Value: value, Invoked: time.Now()}
	offset, err := cl.Produce(ctx, []byte(value))
	op.Completed = time.Now()
	if err != nil {
		op.Outcome, op.Err = outcomeOf(err), err.Error()
	} else {
		op.Outcome, op.Offset = OK, offset
		raiseTo(&q.known, offset+1)
	}
	q.History.AddProduce(op)
	return op
}

// read reads, linearizably with cl, an offset around the end of the log
// as the producers know it, and records how it went, as reader.
func (q *Queue) read(ctx context.Context, cl *client.Client, reader int) {
	known := q.known.Load()
	// From three offsets acknowledged, which it must find, to five past
	// the end, which it finds if their produces are under way, and not
	// if they have not begun.
	offset := max(0, int64(known)-3+rand.Int64N(8))
	op := ReadOp{Reader: reader, Offset: uint64(offset), Invoked: time.Now()}
	record, err := cl.Consume(ctx, op.Offset, client.Linearizable())
	op.Completed = time.Now()
	switch {
	case err == nil:
		op.Outcome, op.Value = OK, string(record.GetValue())
	case status.Code(err) == codes.OutOfRange:
		op.Outcome, op.OutOfRange = OK, true
	default:
		op.Outcome, op.Err = Unknown, err.Error()
	}
	q.History.AddLinearizableRead(op)
}

// sentinel produces the last value of the run, once the producers have
// stopped, and returns its offset: every record the producers got
// acknowledged lies before it.
func (q *Queue) sentinel(ctx context.Context) (uint64, error) {
	cl, err := q.newClient(ctx, 0)
	if err != nil {
		return 0, err
	}
	defer cl.Close() // its one produce has returned
	op := q.produce(ctx, cl, sentinelProducer, "sentinel")
	if op.Outcome != OK {
		return 0, fmt.Errorf("produce the sentinel on the healed cluster: %s", op.Err)
	}
	return op.Offset, nil
}

// outcomeOf returns the outcome of a produce that failed with err: Fail
// when the server refused it before appending (the request or the
// caller is wrong), Unknown otherwise (the client gave up, or the call
// ended, without knowing whether it was appended).
func outcomeOf(err error) Outcome {
	switch status.Code(err) {
	case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated, codes.ResourceExhausted:
		return Fail
	}
	return Unknown
}

// consumer follows the log from offset 0 with its client, recording every
// record it reads.
type consumer struct {
	client *client.Client
	reads  []Record      // written by run alone; read once run has returned
	next   atomic.Uint64 // the offset it reads next
}

// run follows the log until ctx ends. When Follow gives up (it stops after
// RetryTimeout of failing streams), run follows again from where it was.
func (c *consumer) run(ctx context.Context) {
	for ctx.Err() == nil {
		for record, err := range c.client.Follow(ctx, c.next.Load()) {
			if err != nil {
				break
			}
			c.reads = append(c.reads, Record{Offset: record.GetOffset(), Value: string(record.GetValue())})
			c.next.Store(record.GetOffset() + 1)
		}
		select { // Follow already waited between its tries: a pause will do
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitPast waits until the consumer has read offset, or ctx ends, or
// Converge has passed.
func (c *consumer) waitPast(ctx context.Context, offset uint64) error {
	ctx, cancel := context.WithTimeout(ctx, Converge)
	defer cancel()
	for c.next.Load() <= offset {
		select {
		case <-ctx.Done():
			return fmt.Errorf("stalled at offset %d, short of offset %d: %w", c.next.Load(), offset, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// raiseTo sets v to x if x is more than v holds.
func raiseTo(v *atomic.Uint64, x uint64) {
	for old := v.Load(); old < x; old = v.Load() {
		if v.CompareAndSwap(old, x) {
			return
		}
	}
}
