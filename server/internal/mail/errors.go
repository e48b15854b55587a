package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// The two kinds of delivery failure. Match them with errors.Is, or use IsPermanent.
var (
	// ErrPermanent: the same message will fail again (a refused address, a 5xx reply, a relay without
	// the required STARTTLS, a certificate that does not verify, bad credentials). Trying again needs a
	// change of data or configuration.
	ErrPermanent = errors.New("permanent mail failure")
	// ErrTemporary: trying again later may work (the relay is unreachable or slow, a 4xx reply, the
	// connection dropped, the context ended).
	ErrTemporary = errors.New("temporary mail failure")
)

// Error is a failed delivery.
type Error struct {
	// Op is the step that failed: "compose" (before connecting) or "send" (talking to the relay).
	Op string
	// Code is the relay's SMTP reply code (550, 451), or 0 when it gave none.
	Code      int
	Permanent bool
	Err       error
}

// Error says what failed and whether it is worth trying again.
func (e *Error) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("mail: %s (%s): %v", e.Op, kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrPermanent) and errors.Is(err, ErrTemporary) answer by kind.
func (e *Error) Is(target error) bool {
	return (target == ErrPermanent && e.Permanent) || (target == ErrTemporary && !e.Permanent)
}

// IsPermanent reports whether err is a delivery failure that trying again cannot fix. Errors that are
// not delivery failures (nil included) are not permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// IsTemporary reports whether err is a delivery failure that may succeed if tried again later.
func IsTemporary(err error) bool { return errors.Is(err, ErrTemporary) }

// classify turns a go-mail error into an *Error. Reply codes decide when the relay gave one (4xx
// temporary, 5xx permanent); otherwise network trouble is temporary and the rest — refused STARTTLS,
// a bad certificate, no usable authentication — is configuration, hence permanent.
func classify(addr string, err error) *Error {
	e := &Error{Op: "send", Err: fmt.Errorf("%s: %w", addr, err)}
	e.Code = replyCode(err)
	switch {
	case e.Code >= 500:
		e.Permanent = true
	case e.Code >= 400:
		e.Permanent = false
	case isCertificateError(err):
		e.Permanent = true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Permanent = false
	default:
		var netErr net.Error
		var sendErr *gomail.SendError
		switch {
		case errors.As(err, &netErr):
			e.Permanent = false
		case errors.As(err, &sendErr):
			// No reply code: the connection failed mid-transaction (temporary), unless go-mail could not
			// use the message's own addresses.
			e.Permanent = sendErr.Reason == gomail.ErrGetSender || sendErr.Reason == gomail.ErrGetRcpts ||
				sendErr.Reason == gomail.ErrNoUnencoded
		default:
			e.Permanent = true
		}
	}
	return e
}

// replyCode finds the SMTP reply code in err: from go-mail's SendError (MAIL FROM, RCPT TO, DATA) or
// from a reply to EHLO, STARTTLS or AUTH.
func replyCode(err error) int {
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) && sendErr.ErrorCode() != 0 {
		return sendErr.ErrorCode()
	}
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) {
		return protoErr.Code
	}
	return 0
}

func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
