package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The stream the JetStream cases use, its one subject, and how many
// messages a case loads before it waits for their acknowledgements.
const (
	jsStream     = "BENCH"
	jsSubject    = "bench"
	jsLoadWindow = 1000
)

// jsCluster is three NATS servers in this process, clustered, with
// JetStream on file storage synced on every write (sync_interval:
// always), and a connection to the first.
type jsCluster struct {
	servers []*natsserver.Server
	conn    *nats.Conn
	js      jetstream.JetStream
}

// freePorts returns n ports that were free a moment ago: the routes of a
// NATS cluster must be known before its servers start.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close() // only reserved the port
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// startJSCluster starts the three servers in dir and creates the stream,
// three replicas on file storage, once the cluster has elected its
// JetStream leader.
func startJSCluster(dir string) (_ *jsCluster, err error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	c := &jsCluster{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.close())
		}
	}()
	for i, port := range ports {
		s, err := natsserver.NewServer(&natsserver.Options{
			ServerName: fmt.Sprintf("n%d", i),
			Host:       "127.0.0.1",
			Port:       -1, // a free port
			NoLog:      true,
			NoSigs:     true,
			JetStream:  true,
			StoreDir:   filepath.Join(dir, fmt.Sprintf("n%d", i)),
			SyncAlways: true, // sync_interval: always
			Cluster:    natsserver.ClusterOpts{Name: "bench", Host: "127.0.0.1", Port: port},
			Routes:     natsserver.RoutesFromStr(strings.Join(routes, ",")),
		})
		if err != nil {
			return nil, fmt.Errorf("new NATS server %d: %w", i, err)
		}
		s.Start()
		c.servers = append(c.servers, s)
	}
	for i, s := range c.servers {
		if !s.ReadyForConnections(converge) {
			return nil, fmt.Errorf("NATS server %d not ready within %s", i, converge)
		}
	}
	if c.conn, err = nats.Connect(c.servers[0].ClientURL()); err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	if c.js, err = jetstream.New(c.conn); err != nil {
		return nil, fmt.Errorf("JetStream: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), converge)
	defer cancel()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, time.Second)
		_, err := c.js.CreateStream(attempt, jetstream.StreamConfig{
			Name:     jsStream,
			Subjects: []string{jsSubject},
			Replicas: 3,
			Storage:  jetstream.FileStorage,
		})
		cancelAttempt()
		if err == nil {
			return c, nil
		}
		// Until the servers have met and elected a meta leader, JetStream
		// answers with an error.
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("create the R3 stream within %s: %w", converge, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// close closes the connection and shuts the servers down.
func (c *jsCluster) close() error {
	if c.conn != nil {
		c.conn.Close()
	}
	for _, s := range c.servers {
		s.Shutdown()
		s.WaitForShutdown()
	}
	return nil
}

// jsProduce publishes one message of size bytes per operation and waits
// for its acknowledgement, which JetStream sends once a majority of the
// replicas stored it.
func jsProduce(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		c, err := startJSCluster(dir)
		if err != nil {
			return nil, err
		}
		v := value(size)
		op := func(int) error {
			_, err := c.js.Publish(context.Background(), jsSubject, v)
			return err
		}
		return &Fixture{Op: op, RecordsPerOp: 1, Close: c.close}, nil
	}
}

// jsConsume loads s.Records messages of size bytes, then receives one per
// operation through an ordered consumer, over a connection to a server
// other than the first; at the end of the stream it starts a new ordered
// consumer from the beginning.
func jsConsume(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, s Scale) (fx *Fixture, err error) {
		c, err := startJSCluster(dir)
		if err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, c.close())
			}
		}()
		v := value(size)
		// In windows of jsLoadWindow messages: JetStream refuses more
		// unacknowledged asynchronous publishes than that.
		for i := range s.Records {
			if _, err := c.js.PublishAsync(jsSubject, v); err != nil {
				return nil, fmt.Errorf("load the stream, message %d: %w", i, err)
			}
			if (i+1)%jsLoadWindow != 0 && i+1 != s.Records {
				continue
			}
			select {
			case <-c.js.PublishAsyncComplete():
			case <-time.After(converge):
				return nil, fmt.Errorf("load the stream: not acknowledged within %s", converge)
			}
		}
		conn, err := nats.Connect(c.servers[1].ClientURL())
		if err != nil {
			return nil, fmt.Errorf("connect to NATS: %w", err)
		}
		js, err := jetstream.New(conn)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("JetStream: %w", err)
		}
		r := &jsReader{js: js, records: uint64(s.Records), want: v}
		op := func(int) error { return r.read() }
		return &Fixture{Op: op, RecordsPerOp: 1, Close: closeAll(
			func() error { r.close(); conn.Close(); return nil }, c.close,
		)}, nil
	}
}

// jsReader receives the messages of the stream in order through ordered
// consumers, starting a new one at the end of the stream. One goroutine
// only.
type jsReader struct {
	js      jetstream.JetStream
	records uint64
	want    []byte

	msgs jetstream.MessagesContext
	next uint64 // stream sequence the next message must have, from 1
}

// read receives the next message and checks its sequence and data.
func (r *jsReader) read() error {
	if r.msgs == nil || r.next > r.records {
		if err := r.reopen(); err != nil {
			return err
		}
	}
	msg, err := r.msgs.Next()
	if err != nil {
		return fmt.Errorf("receive sequence %d: %w", r.next, err)
	}
	meta, err := msg.Metadata()
	if err != nil {
		return fmt.Errorf("receive sequence %d: %w", r.next, err)
	}
	if meta.Sequence.Stream != r.next {
		return fmt.Errorf("received sequence %d, want %d", meta.Sequence.Stream, r.next)
	}
	if err := checkValue(msg.Data(), r.want, r.next); err != nil {
		return err
	}
	r.next++
	return nil
}

// reopen stops the current consumer, if any, and starts an ordered
// consumer from the stream's first message.
func (r *jsReader) reopen() error {
	r.close()
	ctx, cancel := context.WithTimeout(context.Background(), converge)
	defer cancel()
	cons, err := r.js.OrderedConsumer(ctx, jsStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return fmt.Errorf("ordered consumer: %w", err)
	}
	if r.msgs, err = cons.Messages(); err != nil {
		return fmt.Errorf("ordered consumer: %w", err)
	}
	r.next = 1
	return nil
}

// close stops the current consumer.
func (r *jsReader) close() {
	if r.msgs != nil {
		r.msgs.Stop()
	}
	r.msgs = nil
}

// jsProduceAsync publishes ProduceBatchSize messages of size bytes per
// operation without waiting between them (PublishAsync), then waits for
// every acknowledgement: JetStream's way of streaming many messages,
// acknowledged once a majority stored them.
func jsProduceAsync(size int) func(string, Scale) (*Fixture, error) {
	return func(dir string, _ Scale) (*Fixture, error) {
		c, err := startJSCluster(dir)
		if err != nil {
			return nil, err
		}
		v := value(size)
		op := func(int) error {
			for range ProduceBatchSize {
				if _, err := c.js.PublishAsync(jsSubject, v); err != nil {
					return err
				}
			}
			select {
			case <-c.js.PublishAsyncComplete():
				return nil
			case <-time.After(converge):
				return fmt.Errorf("%d messages not acknowledged within %s", ProduceBatchSize, converge)
			}
		}
		return &Fixture{Op: op, RecordsPerOp: ProduceBatchSize, Close: c.close}, nil
	}
}
