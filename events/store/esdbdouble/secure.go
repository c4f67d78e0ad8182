package esdbdouble

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Secure makes the double serve TLS, with a self-signed certificate for 127.0.0.1, and
// require HTTP basic credentials on the Streams service (as EventStoreDB does by default).
// It returns the certificate in PEM, for the client's tlsCAFile. Call it before Start.
func (s *Server) Secure(username, password string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("esdbdouble: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "esdbdouble"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("esdbdouble: %w", err)
	}
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	s.tls = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// serverOptions are the TLS and authentication options of a secured double.
func (s *Server) serverOptions() []grpc.ServerOption {
	if s.tls == nil {
		return nil
	}
	want := s.auth
	check := func(ctx context.Context, method string) error {
		if !strings.HasPrefix(method, "/event_store.client.streams.") {
			return nil
		}
		md, _ := metadata.FromIncomingContext(ctx)
		if got := md.Get("authorization"); len(got) != 1 || got[0] != want {
			return status.Error(codes.Unauthenticated, "esdbdouble: bad or missing credentials")
		}
		return nil
	}
	return []grpc.ServerOption{
		grpc.Creds(credentials.NewTLS(s.tls)),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := check(ss.Context(), info.FullMethod); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	}
}
