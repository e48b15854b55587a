package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// MailpitInstall is the command that installs the pinned mailpit where Mailpit looks for it first
// (scripts/test.sh runs it through scripts/lib.sh's ensure_mailpit).
const MailpitInstall = "GOBIN=$PWD/.cache/bin go install github.com/axllent/mailpit@v1.33.1"

// MailpitOptions change how Mailpit starts the server.
type MailpitOptions struct {
	// NoTLS starts it without STARTTLS, to test a client that requires it.
	NoTLS bool
	// Args are further mailpit flags, e.g. "--smtp-allowed-recipients", `@hospital\.example$`.
	Args []string
}

// MailpitServer is a mailpit process: a real SMTP server that keeps what it receives and shows it
// through an HTTP API (/api/v1/messages, /api/v1/message/{ID}).
type MailpitServer struct {
	// SMTPHost and SMTPPort are where it accepts mail (127.0.0.1 and a free port).
	SMTPHost string
	SMTPPort int
	// APIURL is the base URL of its HTTP API, without a trailing slash.
	APIURL string
	// RootCAs trusts the self-signed certificate it offers after STARTTLS; nil with NoTLS.
	RootCAs *x509.CertPool
}

// SMTPAddr returns host:port of the SMTP server.
func (m *MailpitServer) SMTPAddr() string {
	return net.JoinHostPort(m.SMTPHost, strconv.Itoa(m.SMTPPort))
}

// Mailpit starts a mailpit for this test alone on free loopback ports and stops it when the test ends.
// It offers STARTTLS with a certificate made for the test (required for sending) and accepts any SMTP
// username and password; the API shows each message's username.
// Without the binary the test fails saying how to install it.
func Mailpit(t testing.TB, opts ...MailpitOptions) *MailpitServer {
	t.Helper()
	var o MailpitOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	bin, err := mailpitBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	smtpPort, httpPort := freePort(t), freePort(t)
	m := &MailpitServer{SMTPHost: "127.0.0.1", SMTPPort: smtpPort, APIURL: fmt.Sprintf("http://127.0.0.1:%d", httpPort)}
	args := []string{
		"--smtp", m.SMTPAddr(), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--disable-version-check", "--quiet",
		"--smtp-disable-rdns", "--smtp-auth-accept-any",
	}
	if !o.NoTLS {
		certFile, keyFile, pool, err := selfSignedCert(dir)
		if err != nil {
			t.Fatalf("make mailpit's certificate: %v", err)
		}
		m.RootCAs = pool
		args = append(args, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls")
	} else {
		// Without TLS mailpit refuses to start with authentication unless told it may be in the clear.
		args = append(args, "--smtp-auth-allow-insecure")
	}
	args = append(args, o.Args...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	// exited is closed by the goroutine that waits for the process, which ends when mailpit does;
	// waitErr is read only after that.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	if err := m.waitReady(exited, &waitErr); err != nil {
		t.Fatalf("mailpit %v: %v", args, err)
	}
	return m
}

// waitReady waits until the API answers /readyz and the SMTP port accepts connections.
func (m *MailpitServer) waitReady(exited <-chan struct{}, waitErr *error) error {
	client := &http.Client{Timeout: 500 * time.Millisecond}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("exited before it was ready: %v", *waitErr)
		default:
		}
		if resp, err := client.Get(m.APIURL + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if c, err := net.DialTimeout("tcp", m.SMTPAddr(), 200*time.Millisecond); err == nil {
					_ = c.Close()
					return nil
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("not ready within 15s")
}

// mailpitBinary finds mailpit in the repository's .cache/bin (where scripts/test.sh installs the pinned
// version), then on PATH.
func mailpitBinary() (string, error) {
	if bin, ok := toolBinary("mailpit"); ok {
		return bin, nil
	}
	return "", fmt.Errorf("mailpit not found in .cache/bin or on PATH: install it with `%s` from the repository root, or run scripts/test.sh, which does", MailpitInstall)
}

// toolBinary finds a program the tests run in the repository's .cache/bin (where scripts/lib.sh
// builds pinned versions from the Go module proxy), then on PATH.
func toolBinary(name string) (string, bool) {
	if dir, err := os.Getwd(); err == nil {
		for ; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
				bin := filepath.Join(dir, ".cache", "bin", name)
				if _, err := os.Stat(bin); err == nil {
					return bin, true
				}
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if bin, err := exec.LookPath(name); err == nil {
		return bin, true
	}
	return "", false
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// selfSignedCert writes a certificate for 127.0.0.1 and localhost, and its key, into dir, and returns
// their paths and a pool that trusts the certificate.
func selfSignedCert(dir string) (certFile, keyFile string, pool *x509.CertPool, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return "", "", nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "hms test mailpit"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", nil, err
	}
	certFile, keyFile = filepath.Join(dir, "smtp.crt"), filepath.Join(dir, "smtp.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", "", nil, err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", "", nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "", "", nil, err
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool, nil
}
