package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newTestServer serves a fresh log over real TCP on 127.0.0.1 and returns
// the server's URL and its log, so tests can look behind the API.
func newTestServer(t testing.TB) (string, *Log) {
	t.Helper()
	log := NewLog()
	return serveLog(t, log), log
}

// serveLog serves log through the handlers over real TCP on 127.0.0.1 and
// returns the server's URL.
func serveLog(t testing.TB, log commitLog) string {
	t.Helper()
	srv := httptest.NewServer((&httpServer{Log: log}).routes())
	t.Cleanup(srv.Close)
	return srv.URL
}

// brokenLog is a log whose every call fails, as a log on a broken disk
// would: the handlers must not mistake that for a missing offset.
type brokenLog struct{}

var errBroken = errors.New("the disk is gone")

func (brokenLog) Append(Record) (uint64, error) { return 0, errBroken }
func (brokenLog) Read(uint64) (Record, error)   { return Record{}, errBroken }

// call sends body to url with method and returns the status and body. A
// 501 means a handler is still a stub: the test stops with its message.
func call(t testing.TB, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode == http.StatusNotImplemented {
		t.Fatal(strings.TrimSpace(string(got)))
	}
	return resp.StatusCode, string(got)
}

func TestHandleProduce(t *testing.T) {
	url, log := newTestServer(t)

	t.Run("appends the record and answers its offset", func(t *testing.T) {
		for want := range uint64(2) {
			status, body := call(t, http.MethodPost, url, `{"record":{"value":"aGVsbG8="}}`)
			require.Equal(t, http.StatusOK, status, body)
			var resp ProduceResponse
			require.NoError(t, json.Unmarshal([]byte(body), &resp), "the answer must be JSON like {\"offset\":0}")
			require.Equal(t, want, resp.Offset, "the answer must carry the offset Log.Append returned")
		}
		got, err := log.Read(1)
		require.NoError(t, err)
		require.Equal(t, []byte("hello"), got.Value, "the handler must append the decoded record to the log")
	})

	t.Run("answers 400 to a body that is not JSON", func(t *testing.T) {
		status, body := call(t, http.MethodPost, url, `{"record":`)
		require.Equal(t, http.StatusBadRequest, status, body)
		_, err := log.Read(2)
		require.ErrorIs(t, err, ErrOffsetNotFound, "a rejected request must not append anything")
	})

	t.Run("answers 400 to data after the JSON value", func(t *testing.T) {
		for _, tail := range []string{" garbage", `{"record":{}}`, "}"} {
			status, body := call(t, http.MethodPost, url, `{"record":{"value":"aGVsbG8="}}`+tail)
			require.Equal(t, http.StatusBadRequest, status, "a body is one JSON value: %q after it must be refused; body: %s", tail, body)
		}
		_, err := log.Read(2)
		require.ErrorIs(t, err, ErrOffsetNotFound, "a rejected request must not append anything")
	})

	t.Run("accepts whitespace after the JSON value", func(t *testing.T) {
		status, body := call(t, http.MethodPost, url, "{\"record\":{\"value\":\"aGVsbG8=\"}}\r\n\t \n")
		require.Equal(t, http.StatusOK, status, body)
	})

	t.Run("answers 413 to a body over MaxRequestBytes", func(t *testing.T) {
		huge := `{"record":{"value":"` + strings.Repeat("A", MaxRequestBytes) + `"}}`
		status, body := call(t, http.MethodPost, url, huge)
		require.Equal(t, http.StatusRequestEntityTooLarge, status, body)
	})

	t.Run("answers 413 to a value followed by spaces past MaxRequestBytes", func(t *testing.T) {
		padded := `{"record":{"value":"aGVsbG8="}}` + strings.Repeat(" ", MaxRequestBytes)
		status, body := call(t, http.MethodPost, url, padded)
		require.Equal(t, http.StatusRequestEntityTooLarge, status, "trailing whitespace counts towards MaxRequestBytes too: read the body to its end; body: %s", body)
	})

	t.Run("answers 500 when the log cannot append", func(t *testing.T) {
		status, body := call(t, http.MethodPost, serveLog(t, brokenLog{}), `{"record":{"value":"aGVsbG8="}}`)
		require.Equal(t, http.StatusInternalServerError, status, "Log.Append failed: that is the server's fault, answer 500; body: %s", body)
	})
}

func TestHandleConsume(t *testing.T) {
	url, log := newTestServer(t)
	_, err := log.Append(Record{Value: []byte("hello")})
	require.NoError(t, err)

	t.Run("answers the record at the offset", func(t *testing.T) {
		status, body := call(t, http.MethodGet, url, `{"offset":0}`)
		require.Equal(t, http.StatusOK, status, body)
		require.JSONEq(t, `{"record":{"value":"aGVsbG8=","offset":0}}`, body)
	})

	t.Run("answers 404 past the end of the log", func(t *testing.T) {
		status, body := call(t, http.MethodGet, url, `{"offset":1}`)
		require.Equal(t, http.StatusNotFound, status, "Log.Read returned ErrOffsetNotFound: tell the client with 404; body: %s", body)
	})

	t.Run("answers 500 when the log fails for another reason", func(t *testing.T) {
		status, body := call(t, http.MethodGet, serveLog(t, brokenLog{}), `{"offset":0}`)
		require.Equal(t, http.StatusInternalServerError, status, "Log.Read failed with an error other than ErrOffsetNotFound: 404 only for a missing offset, 500 for the rest; body: %s", body)
	})

	t.Run("answers 400 to a body that is not JSON", func(t *testing.T) {
		status, body := call(t, http.MethodGet, url, `offset=0`)
		require.Equal(t, http.StatusBadRequest, status, body)
	})
}

func TestNewHTTPServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewHTTPServer(ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.True(t, errors.Is(<-served, http.ErrServerClosed))
	})
	url := "http://" + ln.Addr().String() + "/"

	status, body := call(t, http.MethodPost, url, `{"record":{"value":"aGVsbG8="}}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = call(t, http.MethodGet, url, `{"offset":0}`)
	require.Equal(t, http.StatusOK, status, body)
	require.JSONEq(t, `{"record":{"value":"aGVsbG8=","offset":0}}`, body)

	t.Run("routes only POST and GET on /", func(t *testing.T) {
		status, _ := call(t, http.MethodDelete, url, "")
		require.Equal(t, http.StatusMethodNotAllowed, status)
		status, _ = call(t, http.MethodGet, url+"other", `{"offset":0}`)
		require.Equal(t, http.StatusNotFound, status)
	})
}

// patience is how long a timeout test waits for the server to drop a
// connection whose timeout is a few hundred milliseconds.
const patience = 5 * time.Second

// short is the timeout under test; the others are set far beyond patience
// so that only the one under test can close the connection.
const short, long = 200 * time.Millisecond, time.Hour

// serveTimeouts runs a server made by NewHTTPServerConfig(cfg) over real
// TCP on 127.0.0.1, with handler in place of the log's routes (the timeouts
// are the server's, whatever it serves). It returns the address, and a
// channel that is closed when the server closes a connection.
func serveTimeouts(t testing.TB, cfg Config, handler http.Handler) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg.Addr = ln.Addr().String()
	srv, err := NewHTTPServerConfig(cfg)
	require.NoError(t, err)
	srv.Handler = handler
	closed := make(chan struct{})
	var once sync.Once
	srv.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateClosed {
			once.Do(func() { close(closed) })
		}
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-served, http.ErrServerClosed)
	})
	return cfg.Addr, closed
}

// dial opens a raw TCP connection to addr, closed when the test ends.
func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() }) // the server may have closed it first
	return conn
}

// requireClosedWithin waits until the server closes a connection, and
// fails the test with why if it has not after patience.
func requireClosedWithin(t testing.TB, closed <-chan struct{}, start time.Time, why string) {
	t.Helper()
	select {
	case <-closed:
		t.Logf("the server closed the connection after %s", time.Since(start).Round(time.Millisecond))
	case <-time.After(patience):
		t.Fatalf("the connection is still open after %s: %s", patience, why)
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	t.Run("cuts off a client that sends its body a byte at a time", func(t *testing.T) {
		drain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // the error is the timeout under test
		})
		addr, closed := serveTimeouts(t, Config{ReadHeaderTimeout: long, ReadTimeout: short, WriteTimeout: long, IdleTimeout: long}, drain)
		conn := dial(t, addr)
		start := time.Now()
		_, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\n")
		require.NoError(t, err)
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop) })
		go func() {
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte("{")); err != nil {
						return
					}
				}
			}
		}()
		requireClosedWithin(t, closed, start, "a slow body must not hold a connection: set http.Server.ReadTimeout")
	})

	t.Run("cuts off a client that never reads its answer", func(t *testing.T) {
		flood := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			chunk := make([]byte, 64<<10)
			// Far more than the kernel buffers between server and client
			// hold: the writes block once they are full.
			for range 4096 {
				if _, err := w.Write(chunk); err != nil {
					return // the timeout under test
				}
			}
		})
		addr, closed := serveTimeouts(t, Config{ReadHeaderTimeout: long, ReadTimeout: long, WriteTimeout: short, IdleTimeout: long}, flood)
		conn := dial(t, addr)
		start := time.Now()
		_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\n\r\n")
		require.NoError(t, err)
		requireClosedWithin(t, closed, start, "a client that does not read must not hold a connection: set http.Server.WriteTimeout")
	})

	t.Run("closes a kept-alive connection left idle", func(t *testing.T) {
		noContent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})
		addr, closed := serveTimeouts(t, Config{ReadHeaderTimeout: long, ReadTimeout: long, WriteTimeout: long, IdleTimeout: short}, noContent)
		conn := dial(t, addr)
		_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		requireClosedWithin(t, closed, time.Now(), "an idle kept-alive connection must be closed: set http.Server.IdleTimeout")
	})

	t.Run("NewHTTPServer sets every timeout", func(t *testing.T) {
		srv := NewHTTPServer("127.0.0.1:0")
		require.Equal(t, DefaultReadHeaderTimeout, srv.ReadHeaderTimeout)
		require.Equal(t, DefaultReadTimeout, srv.ReadTimeout)
		require.Equal(t, DefaultWriteTimeout, srv.WriteTimeout)
		require.Equal(t, DefaultIdleTimeout, srv.IdleTimeout)
	})

	t.Run("refuses a negative timeout", func(t *testing.T) {
		_, err := NewHTTPServerConfig(Config{WriteTimeout: -time.Second})
		require.Error(t, err, "a negative timeout means no limit to net/http: refuse it")
	})
}
