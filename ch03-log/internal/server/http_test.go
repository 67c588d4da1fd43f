package server

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// newTestServer serves a fresh log over real TCP on 127.0.0.1 and returns
// the server's URL and its log, so tests can look behind the API.
func newTestServer(t testing.TB) (string, *Log) {
	t.Helper()
	s := newHTTPServer()
	srv := httptest.NewServer(s.routes())
	t.Cleanup(srv.Close)
	return srv.URL, s.Log
}

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
		requireRecord(t, `{"value":"aGVsbG8=","offset":1}`, got, "the handler must append the decoded record to the log")
	})

	t.Run("answers 400 to a body that is not JSON", func(t *testing.T) {
		status, body := call(t, http.MethodPost, url, `{"record":`)
		require.Equal(t, http.StatusBadRequest, status, body)
		_, err := log.Read(2)
		require.ErrorIs(t, err, ErrOffsetNotFound, "a rejected request must not append anything")
	})

	t.Run("answers 400 to a request without a record", func(t *testing.T) {
		status, body := call(t, http.MethodPost, url, `{"other":1}`)
		require.Equal(t, http.StatusBadRequest, status, "a request with no record has nothing to append; body: %s", body)
	})

	t.Run("answers 413 to a body over MaxRequestBytes", func(t *testing.T) {
		huge := `{"record":{"value":"` + strings.Repeat("A", MaxRequestBytes) + `"}}`
		status, body := call(t, http.MethodPost, url, huge)
		require.Equal(t, http.StatusRequestEntityTooLarge, status, body)
	})
}

func TestHandleConsume(t *testing.T) {
	url, log := newTestServer(t)
	_, err := log.Append(record(t, `{"value":"aGVsbG8="}`))
	require.NoError(t, err)

	t.Run("answers the record at the offset", func(t *testing.T) {
		status, body := call(t, http.MethodGet, url, `{"offset":0}`)
		require.Equal(t, http.StatusOK, status, body)
		// The generated struct tags say omitempty: offset 0 is left out,
		// which a JSON decoder reads back as 0.
		require.JSONEq(t, `{"record":{"value":"aGVsbG8="}}`, body)
	})

	t.Run("answers 404 past the end of the log", func(t *testing.T) {
		status, body := call(t, http.MethodGet, url, `{"offset":1}`)
		require.Equal(t, http.StatusNotFound, status, "Log.Read returned ErrOffsetNotFound: tell the client with 404; body: %s", body)
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
	require.JSONEq(t, `{"record":{"value":"aGVsbG8="}}`, body)

	t.Run("routes only POST and GET on /", func(t *testing.T) {
		status, _ := call(t, http.MethodDelete, url, "")
		require.Equal(t, http.StatusMethodNotAllowed, status)
		status, _ = call(t, http.MethodGet, url+"other", `{"offset":0}`)
		require.Equal(t, http.StatusNotFound, status)
	})
}
