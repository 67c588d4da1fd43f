package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// allowAll is a test-only Authorizer that allows every call: with it, a
// refused call was refused by TLS or by the interceptors, not by the ACL.
type allowAll struct{}

// Authorize implements Authorizer.
func (allowAll) Authorize(subject, object, action string) error { return nil }

// askedAuthorizer is a test-only Authorizer that allows every call and
// remembers what it was asked.
type askedAuthorizer struct {
	mu    sync.Mutex // guards asked
	asked [][3]string
}

// Authorize implements Authorizer.
func (a *askedAuthorizer) Authorize(subject, object, action string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, [3]string{subject, object, action})
	return nil
}

// tlsPeer returns ctx as a handler sees it on a TLS connection in state.
func tlsPeer(ctx context.Context, state tls.ConnectionState) context.Context {
	return peer.NewContext(ctx, &peer.Peer{AuthInfo: credentials.TLSInfo{State: state}})
}

// verified is the state of a TLS connection whose client presented a
// certificate with common name cn, and the handshake verified it.
func verified(cn string) tls.ConnectionState {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
	return tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}, VerifiedChains: [][]*x509.Certificate{{cert}}}
}

func TestSubject(t *testing.T) {
	t.Run("is the common name of the verified client certificate", func(t *testing.T) {
		got, err := subject(tlsPeer(t.Context(), verified("root")))
		require.NoError(t, err)
		require.Equal(t, "root", got)
	})

	unverified := tls.ConnectionState{PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: "root"}}}}
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{"a certificate the handshake did not verify names nobody", tlsPeer(t.Context(), unverified)},
		{"a connection without TLS has no subject", peer.NewContext(t.Context(), &peer.Peer{})},
		{"a context without a peer has no subject", t.Context()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := subject(tt.ctx)
			require.Equal(t, codes.Unauthenticated.String(), status.Code(err).String(), "subject must come from the verified chain (VerifiedChains), never from a certificate the client merely presented; got %q, %v", got, err)
		})
	}
}

func TestAuthorizeMethods(t *testing.T) {
	authorizer := &askedAuthorizer{}
	srv := newgrpcServer(&Config{CommitLog: newLog(t), Authorizer: authorizer})
	root := tlsPeer(t.Context(), verified("root"))

	t.Run("each Log method asks the ACL for its action", func(t *testing.T) {
		for method, action := range map[string]string{
			api.Log_Produce_FullMethodName:       "produce",
			api.Log_ProduceStream_FullMethodName: "produce",
			api.Log_ProduceBatch_FullMethodName:  "produce",
			api.Log_Consume_FullMethodName:       "consume",
			api.Log_ConsumeStream_FullMethodName: "consume",
		} {
			authorizer.asked = nil
			require.NoError(t, srv.authorize(root, method))
			require.Equal(t, [][3]string{{"root", "*", action}}, authorizer.asked, "%s must ask whether the client may %s on *", method, action)
		}
	})

	t.Run("a health check needs no ACL entry", func(t *testing.T) {
		authorizer.asked = nil
		for _, method := range []string{"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"} {
			require.NoError(t, srv.authorize(t.Context(), method), "a health check must not need an ACL entry: load balancers have none")
		}
		require.Empty(t, authorizer.asked, "a health check must not consult the ACL")
	})

	t.Run("a method the ACL does not know is refused", func(t *testing.T) {
		err := srv.authorize(root, "/log.v1.Log/Truncate")
		require.Equal(t, codes.PermissionDenied.String(), status.Code(err).String(), "a method with no action in the ACL must be refused: deny by default; got %v", err)
	})
}
