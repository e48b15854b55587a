package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// RedisServer is a redis-server process on a free loopback port, with nothing kept on disk.
type RedisServer struct {
	Port int
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// URL returns the redis:// URL of the server.
func (r *RedisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.Port) }

var (
	sharedRedisOnce sync.Once
	sharedRedis     *RedisServer
	sharedRedisErr  error
)

// Redis returns the package's shared redis-server and a key prefix unique to this test; tests must put
// every key and channel name under the prefix.
func Redis(t testing.TB) (*RedisServer, string) {
	t.Helper()
	sharedRedisOnce.Do(func() {
		sharedRedis, sharedRedisErr = newRedis()
		if sharedRedisErr == nil {
			atExit(sharedRedis.Stop)
		}
	})
	if sharedRedisErr != nil {
		t.Fatal(sharedRedisErr)
	}
	return sharedRedis, RandomName("t") + ":"
}

// OwnRedis starts a redis-server for this test alone (for tests that stop and restart it).
func OwnRedis(t testing.TB) *RedisServer {
	t.Helper()
	r, err := newRedis()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

func newRedis() (*RedisServer, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, fmt.Errorf("redis-server not found: install it with `apt-get install -y redis-server` (scripts/test.sh does)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	r := &RedisServer{Port: port}
	return r, r.Start()
}

// Start starts (or restarts) the server on its port and waits until it answers.
func (r *RedisServer) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return nil
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	r.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if pingRedis(r.Port) == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis-server on port %d did not answer within 10s", r.Port)
}

// Stop kills the server; Start brings it back on the same port, empty.
func (r *RedisServer) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

func pingRedis(port int) error {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("unexpected reply %q", line)
	}
	return nil
}
