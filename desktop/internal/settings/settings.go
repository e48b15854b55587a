// Package settings keeps the desktop app's few settings and its remembered session in a config
// directory, as small JSON files readable by the desk's user only.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"hms/shared"
)

// File names inside the config directory.
const (
	configFile  = "config.json"
	sessionFile = "session.json"
)

// Config is what config.json holds. Kiosk mode is not here: it is chosen per run by a flag.
type Config struct {
	ServerURL  string `json:"server_url"`
	Department string `json:"department,omitempty"`
}

// session is what session.json holds: the refresh token that signs the desk back in after a restart.
type session struct {
	RefreshToken string `json:"refresh_token"`
}

// Store reads and writes the files of one config directory.
type Store struct {
	Dir string
}

// DefaultDir is where the settings live when no --config-dir is given: hms-desktop under the user's
// config directory (~/.config/hms-desktop on Linux).
func DefaultDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config dir: %w", err)
	}
	return filepath.Join(base, "hms-desktop"), nil
}

// Load reads config.json. ok is false when no config was ever saved.
func (s Store) Load() (c Config, ok bool, err error) {
	ok, err = s.read(configFile, &c)
	if err != nil || !ok {
		return Config{}, ok, err
	}
	return c, true, nil
}

// Save checks c, normalises its server URL and writes it to config.json; it returns what was saved.
func (s Store) Save(c Config) (Config, error) {
	u, err := NormalizeServerURL(c.ServerURL)
	if err != nil {
		return Config{}, err
	}
	if err := ValidateDepartment(c.Department); err != nil {
		return Config{}, err
	}
	c.ServerURL = u
	return c, s.write(configFile, c)
}

// Session returns the remembered refresh token, or "" when there is none.
func (s Store) Session() (string, error) {
	var sess session
	if _, err := s.read(sessionFile, &sess); err != nil {
		return "", err
	}
	return sess.RefreshToken, nil
}

// SaveSession remembers a refresh token; an empty one forgets the session.
func (s Store) SaveSession(refreshToken string) error {
	if refreshToken == "" {
		return s.ClearSession()
	}
	return s.write(sessionFile, session{RefreshToken: refreshToken})
}

// ClearSession forgets the remembered session (signing out); there being none is not an error.
func (s Store) ClearSession() error {
	err := os.Remove(filepath.Join(s.Dir, sessionFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clear session: %w", err)
	}
	return nil
}

// read decodes the named file into v; ok is false when the file does not exist.
func (s Store) read(name string, v any) (ok bool, err error) {
	path := filepath.Join(s.Dir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	return true, nil
}

// write replaces the named file atomically (temporary file, then rename), so that a power cut in the
// middle of a save leaves the old file rather than half a new one. The files hold a refresh token
// and say which server to trust with it: only the desk's user may read them.
func (s Store) write(name string, v any) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("create config dir: %w", err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(s.Dir, name+".*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.Dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// NormalizeServerURL checks that raw is the address of an HMS server (http or https, a host, nothing
// after it) and returns it as scheme://host[:port]. The messages are shown to the user as they are.
func NormalizeServerURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("server URL is required, e.g. https://hms.hospital.local")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("server URL %q is not a valid URL", raw)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("server URL %q must start with http:// or https://", raw)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("server URL %q has no host name", raw)
	case u.User != nil:
		return "", fmt.Errorf("server URL %q must not contain a user name or password", raw)
	case u.Path != "" && u.Path != "/":
		return "", fmt.Errorf("server URL %q must not have a path: use just the address, e.g. %s://%s", raw, u.Scheme, u.Host)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("server URL %q must not have a query or fragment", raw)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// ValidateDepartment accepts "" (no department) or a department ID: lowercase letters, digits and
// dashes, at most 40 characters.
func ValidateDepartment(d string) error {
	if d == "" || shared.ValidDepartmentID(d) {
		return nil
	}
	return fmt.Errorf("department %q must be a department ID: lowercase letters, digits and dashes, e.g. cardiology", d)
}
