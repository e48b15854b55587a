package auth

import (
	"bufio"
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"hms/server/internal/fault"
)

// hashParams follow OWASP's argon2id recommendation (19 MiB, 2 iterations, 1 lane).
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

const (
	minPasswordLen = 8
	maxPasswordLen = 128
)

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// checkPassword applies the password policy: 8 to 128 characters, not a commonly used password, not
// the email address.
func checkPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < minPasswordLen:
		return fault.Invalid("password must be at least %d characters", minPasswordLen)
	case n > maxPasswordLen:
		return fault.Invalid("password must be at most %d characters", maxPasswordLen)
	case commonPasswords[strings.ToLower(password)]:
		return fault.Invalid("password is too common; choose another")
	case email != "" && strings.EqualFold(password, email):
		return fault.Invalid("password must not be the email address")
	}
	return nil
}

func hashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, hashParams)
}

// dummyHash is compared against when the email is unknown, so that an unknown email takes as long to
// refuse as a wrong password.
var dummyHash = func() string {
	h, err := hashPassword("dummy-password-for-timing")
	if err != nil {
		panic(err)
	}
	return h
}()

func passwordMatches(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
